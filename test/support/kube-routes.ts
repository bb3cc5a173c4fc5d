/**
 * The REST paths the test API server answers, with the real server's JSON shapes:
 * lists with kind/apiVersion/metadata.resourceVersion/items, `Status` objects for
 * errors, 201 Status for a granted eviction, 429 naming the budget for a refused one.
 */
import {
  keyOf,
  matchesFieldSelector,
  matchesLabelSelector,
  selectorSelects,
  type KubeObject,
  type KubeStore,
} from './kube-store.js';

export interface RouteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  contentType: string;
}

export interface RouteResponse {
  status: number;
  body: unknown;
  contentType?: string;
  /** Extra response headers, e.g. `retry-after`. */
  headers?: Record<string, string>;
}

/** A `Status` object as the API server sends with errors. */
export function status(
  code: number,
  reason: string,
  message: string,
  details?: object,
): RouteResponse {
  return {
    status: code,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: code < 300 ? 'Success' : 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    },
  };
}

const notFound = (resource: string, name: string) =>
  status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });

interface Resource {
  kind: string;
  plural: string;
  apiVersion: string;
}

const RESOURCES: Record<string, Resource> = {
  nodes: { kind: 'Node', plural: 'nodes', apiVersion: 'v1' },
  pods: { kind: 'Pod', plural: 'pods', apiVersion: 'v1' },
  events: { kind: 'Event', plural: 'events', apiVersion: 'v1' },
  namespaces: { kind: 'Namespace', plural: 'namespaces', apiVersion: 'v1' },
  serviceaccounts: { kind: 'ServiceAccount', plural: 'serviceaccounts', apiVersion: 'v1' },
  networkpolicies: {
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    apiVersion: 'networking.k8s.io/v1',
  },
  leases: { kind: 'Lease', plural: 'leases', apiVersion: 'coordination.k8s.io/v1' },
  poddisruptionbudgets: {
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    apiVersion: 'policy/v1',
  },
  clusterroles: {
    kind: 'ClusterRole',
    plural: 'clusterroles',
    apiVersion: 'rbac.authorization.k8s.io/v1',
  },
  clusterrolebindings: {
    kind: 'ClusterRoleBinding',
    plural: 'clusterrolebindings',
    apiVersion: 'rbac.authorization.k8s.io/v1',
  },
  rolebindings: {
    kind: 'RoleBinding',
    plural: 'rolebindings',
    apiVersion: 'rbac.authorization.k8s.io/v1',
  },
  persistentvolumeclaims: {
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    apiVersion: 'v1',
  },
  persistentvolumes: { kind: 'PersistentVolume', plural: 'persistentvolumes', apiVersion: 'v1' },
  storageclasses: {
    kind: 'StorageClass',
    plural: 'storageclasses',
    apiVersion: 'storage.k8s.io/v1',
  },
  volumesnapshotclasses: {
    kind: 'VolumeSnapshotClass',
    plural: 'volumesnapshotclasses',
    apiVersion: 'snapshot.storage.k8s.io/v1',
  },
  schedules: { kind: 'Schedule', plural: 'schedules', apiVersion: 'velero.io/v1' },
  backups: { kind: 'Backup', plural: 'backups', apiVersion: 'velero.io/v1' },
  backupstoragelocations: {
    kind: 'BackupStorageLocation',
    plural: 'backupstoragelocations',
    apiVersion: 'velero.io/v1',
  },
};

/** API groups served only when the store says so (CRDs a test installs): `velero.io/v1`, … */
const OPTIONAL_GROUPS = new Set(['velero.io/v1', 'snapshot.storage.k8s.io/v1']);

/** `/api/v1[/namespaces/ns]/plural[/name[/sub]]` and `/apis/group/version/...` */
const PATH =
  /^\/(?:api\/v1|apis\/([a-z0-9.-]+)\/(v1))(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/;

function parsePath(store: KubeStore, path: string) {
  const m = PATH.exec(path);
  if (!m) return undefined;
  const [, group, , namespace, plural = '', name, sub] = m;
  const resource = RESOURCES[plural];
  if (!resource) return undefined;
  if (OPTIONAL_GROUPS.has(resource.apiVersion) && !store.groups.has(resource.apiVersion)) {
    return undefined;
  }
  const want = resource.apiVersion === 'v1' ? undefined : resource.apiVersion.split('/')[0];
  if (group !== want) return undefined;
  return { resource, namespace, name, sub };
}

/** The Status a list request gets when its continue token outlived etcd's compaction. */
export function continueExpired(): RouteResponse {
  return status(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );
}

/** A continue token like the real server's: base64 of {v, rv, start} (the next key). */
function continueToken(rv: string, lastKey: string): string {
  const start = `${lastKey}\u0000`;
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start })).toString(
    'base64',
  );
}

function startOf(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { start?: unknown };
    return typeof parsed.start === 'string' ? parsed.start : undefined;
  } catch {
    return undefined;
  }
}

/** One page (or all, without `limit`) of the matching objects, in key order. */
function list(store: KubeStore, req: RouteRequest, resource: Resource, namespace?: string) {
  const limit = Number(req.query.get('limit') ?? '0');
  const token = req.query.get('continue');
  const from = token ? startOf(token) : namespace ? `${namespace}/` : '';
  if (from === undefined) {
    return status(
      400,
      'BadRequest',
      'continue key is not valid: illegal base64 data at input byte 0',
    );
  }
  const fields = req.query.get('fieldSelector');
  const labels = req.query.get('labelSelector');
  const items: KubeObject[] = [];
  let more = false;
  for (const o of store.scan(resource.kind, from)) {
    // Keys are in order, so one namespace's objects are contiguous from `namespace/`.
    if (namespace !== undefined && o.metadata.namespace !== namespace) break;
    if (!matchesFieldSelector(o, fields) || !matchesLabelSelector(o, labels)) continue;
    if (limit > 0 && items.length === limit) {
      more = true;
      break;
    }
    items.push(o);
  }
  const last = items.at(-1);
  const next =
    more && last
      ? continueToken(store.resourceVersion, keyOf(last.metadata.namespace, last.metadata.name))
      : undefined;
  return {
    status: 200,
    body: {
      kind: `${resource.kind}List`,
      apiVersion: resource.apiVersion,
      metadata: { resourceVersion: store.resourceVersion, ...(next ? { continue: next } : {}) },
      // Items in a list carry no kind/apiVersion, as with the real server.
      items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7386 merge patch (strategic merge behaves the same for the fields tests touch). */
function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else if (isObject(value)) {
      if (!isObject(target[key])) target[key] = {};
      mergePatch(target[key] as Record<string, unknown>, value);
    } else target[key] = value;
  }
}

const MERGE_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json'];

function patch(store: KubeStore, req: RouteRequest, resource: Resource, name: string, ns?: string) {
  const type = req.contentType.split(';')[0]?.trim() ?? '';
  if (type === 'application/json-patch+json' && !Array.isArray(req.body)) {
    return status(
      500,
      'InternalError',
      'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp',
    );
  }
  if (!MERGE_TYPES.includes(type) || !isObject(req.body)) {
    return status(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${MERGE_TYPES.join(', ')}`,
    );
  }
  const body = req.body;
  const found = store.update(resource.kind, name, ns, (o) => mergePatch(o, body));
  if (resource.kind === 'Node' && found) syncUnschedulableTaint(store.get('Node', name)!);
  return found
    ? { status: 200, body: store.get(resource.kind, name, ns) }
    : notFound(resource.plural, name);
}

/** The node lifecycle controller's taint follows spec.unschedulable. */
function syncUnschedulableTaint(node: KubeObject): void {
  const spec = (node.spec ??= {}) as { unschedulable?: boolean; taints?: { key: string }[] };
  const key = 'node.kubernetes.io/unschedulable';
  const others = (spec.taints ?? []).filter((t) => t.key !== key);
  spec.taints = spec.unschedulable ? [...others, { key, effect: 'NoSchedule' } as never] : others;
  if (!spec.taints.length) delete spec.taints;
}

function evict(store: KubeStore, ns: string, name: string): RouteResponse {
  const target = store.get('Pod', name, ns);
  if (!target) return notFound('pods', name);
  const labels = target.metadata.labels ?? {};
  const budgets = store
    .list('PodDisruptionBudget', ns)
    .filter((p) => selectorSelects((p.spec as { selector: object }).selector, labels));
  if (budgets.length > 1) {
    return status(
      500,
      'InternalError',
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  }
  const budget = budgets[0];
  const s = budget?.status as
    { disruptionsAllowed: number; currentHealthy: number; desiredHealthy: number } | undefined;
  if (budget && s && s.disruptionsAllowed <= 0) {
    return status(
      429,
      'TooManyRequests',
      "Cannot evict pod as it would violate the pod's disruption budget.",
      {
        causes: [
          {
            reason: 'DisruptionBudget',
            message: `The disruption budget ${budget.metadata.name} needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy} currently`,
          },
        ],
      },
    );
  }
  if (budget) {
    store.update('PodDisruptionBudget', budget.metadata.name, ns, () => {
      s!.disruptionsAllowed -= 1;
      s!.currentHealthy -= 1;
    });
  }
  store.delete('Pod', name, ns);
  return status(201, '', '');
}

function objectRoute(
  store: KubeStore,
  req: RouteRequest,
  parsed: NonNullable<ReturnType<typeof parsePath>>,
) {
  const { resource, namespace, name = '', sub } = parsed;
  if (sub === 'eviction' && req.method === 'POST' && resource.kind === 'Pod') {
    const body = req.body as { kind?: string; metadata?: { name?: string } } | undefined;
    if (body?.kind !== 'Eviction' || body.metadata?.name !== name) {
      return status(400, 'BadRequest', `name in URL does not match name in Eviction object`);
    }
    return evict(store, namespace ?? '', name);
  }
  if (sub) return status(404, 'NotFound', 'the server could not find the requested resource');
  if (req.method === 'PATCH') return patch(store, req, resource, name, namespace);
  if (req.method === 'DELETE') {
    return store.delete(resource.kind, name, namespace)
      ? status(200, '', '')
      : notFound(resource.plural, name);
  }
  const obj = req.method === 'GET' ? store.get(resource.kind, name, namespace) : undefined;
  if (req.method !== 'GET')
    return status(405, 'MethodNotAllowed', `${req.method} is not supported here`);
  return obj ? { status: 200, body: obj } : notFound(resource.plural, name);
}

/** POST to a collection: the object as created (201), 409 when the name is taken. */
function create(store: KubeStore, req: RouteRequest, resource: Resource, namespace?: string) {
  const body = req.body as KubeObject | undefined;
  const name = body?.metadata?.name;
  if (!body || body.kind !== resource.kind || !name) {
    return status(400, 'BadRequest', `the body must be a ${resource.kind} with metadata.name`);
  }
  if (store.get(resource.kind, name, namespace)) {
    return status(
      409,
      'AlreadyExists',
      `${resource.plural}.${resource.apiVersion.split('/')[0]} "${name}" already exists`,
      { name, group: resource.apiVersion.split('/')[0], kind: resource.plural },
    );
  }
  store.add({
    ...body,
    apiVersion: resource.apiVersion,
    metadata: { ...body.metadata, namespace },
  });
  return { status: 201, body: store.get(resource.kind, name, namespace) };
}

/** Answers one authenticated request from the store. */
export function route(store: KubeStore, req: RouteRequest): RouteResponse {
  if (req.method === 'GET' && req.path === '/version') return { status: 200, body: store.version };
  if (req.method === 'GET' && req.path === '/metrics') {
    return {
      status: 200,
      body: store.metrics,
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
    };
  }
  const group = /^\/apis\/([a-z0-9.-]+\/v1)$/.exec(req.path)?.[1];
  if (req.method === 'GET' && group && store.groups.has(group)) {
    return { status: 200, body: store.groups.get(group) };
  }
  const parsed = parsePath(store, req.path);
  if (!parsed) return status(404, 'NotFound', 'the server could not find the requested resource');
  if (parsed.name !== undefined) return objectRoute(store, req, parsed);
  if (req.method === 'POST') return create(store, req, parsed.resource, parsed.namespace);
  if (req.method !== 'GET')
    return status(405, 'MethodNotAllowed', `${req.method} is not supported here`);
  return list(store, req, parsed.resource, parsed.namespace);
}
