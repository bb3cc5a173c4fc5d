/**
 * The @kubernetes/client-node (1.4) adapter behind operations/kube/client.ts.
 * Object-style parameters, calls return the body. Every call is bounded by its
 * deadline (kube-call.ts) and fails as a QuorumError naming the server; 404 on a
 * read means "absent", 429 on an eviction means "a budget blocks it". Every list is
 * paged (kube-pages.ts): nothing here asks for a whole collection in one answer. Tokens never
 * reach a message or a log: errors carry the server URL and the Status message only.
 */
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  VersionApi,
  type ConfigurationOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { EvictionResult, ListFold, PodInfo, PodQuery, EventQuery } from '../domain/kube.js';
import type { KubeClient, KubeConnector } from '../operations/kube/client.js';
import { kubeCall } from './kube-call.js';
import { evictionOutcome } from './kube-eviction.js';
import { collect, foldList } from './kube-pages.js';
import { loadKubeConfig, type KubeTarget } from './kube-config.js';
import {
  toClusterRoleInfo,
  toEventInfo,
  toLeaseInfo,
  toNamespaceInfo,
  toNetworkPolicyInfo,
  toNodeInfo,
  toPdbInfo,
  toPodInfo,
  toRoleBindingInfo,
  toServiceAccountInfo,
} from './kube-map.js';
import { rawGetText } from './kube-raw.js';
import { readServingCertificate } from './kube-tls.js';

const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';

type Options = ConfigurationOptions;

/** The value of `work`, or `fallback` when the API answers with `status` (e.g. 404). */
async function unless<T, F>(status: number, fallback: F, work: Promise<T>): Promise<T | F> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof ApiException && err.code === status) return fallback;
    throw err;
  }
}

/** The client for a cluster's kubeconfig/context (or kubectl's defaults). */
export function kubeClient(target: KubeTarget, env: NodeJS.ProcessEnv = process.env): KubeClient {
  const { kc, server } = loadKubeConfig(target, env);
  return new KubeApiClient(kc, server);
}

/** For deps.ts: one client per cluster config. */
export const kubeConnector: KubeConnector = (cluster) => kubeClient(cluster);

class KubeApiClient implements KubeClient {
  private readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;
  private readonly versionApi: VersionApi;

  constructor(
    private readonly kc: KubeConfig,
    readonly server: string,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
    this.versionApi = kc.makeApiClient(VersionApi);
  }

  private call<T>(
    what: string,
    deadline: number,
    fn: (o: Options, signal: AbortSignal) => Promise<T>,
    contentType?: string,
  ): Promise<T> {
    return kubeCall({ server: this.server, what, deadline, contentType }, fn);
  }

  /** A paged list folded page by page (kube-pages.ts). */
  private fold<R, T, A>(
    list: { what: string; path: string; query?: Record<string, string | undefined> },
    deadline: number,
    map: (raw: R) => T,
    fold: ListFold<T, A>,
  ): Promise<A> {
    return foldList({ kc: this.kc, server: this.server, deadline, ...list }, map, fold);
  }

  /** A paged list kept whole: for collections the cluster's config bounds (nodes, RBAC). */
  private all<R, T>(
    list: { what: string; path: string; query?: Record<string, string | undefined> },
    deadline: number,
    map: (raw: R) => T,
  ) {
    return this.fold(list, deadline, map, collect<T>());
  }

  async version(deadline: number): Promise<string> {
    const info = await this.call('GET /version', deadline, (o) => this.versionApi.getCode({}, o));
    return info.gitVersion;
  }

  listNodes(deadline: number) {
    return this.all({ what: 'list nodes', path: '/api/v1/nodes' }, deadline, toNodeInfo);
  }

  async getNode(name: string, deadline: number) {
    const node = await this.call(`get node ${name}`, deadline, (o) =>
      unless(404, undefined, this.core.readNode({ name }, o)),
    );
    return node && toNodeInfo(node);
  }

  async setUnschedulable(name: string, unschedulable: boolean, deadline: number) {
    const body = { spec: { unschedulable } };
    const node = await this.call(
      `${unschedulable ? 'cordon' : 'uncordon'} node ${name}`,
      deadline,
      (o) => this.core.patchNode({ name, body }, o),
      STRATEGIC_MERGE_PATCH,
    );
    return toNodeInfo(node);
  }

  listPods(query: PodQuery, deadline: number) {
    return this.foldPods(query, deadline, collect<PodInfo>());
  }

  foldPods<A>(query: PodQuery, deadline: number, fold: ListFold<PodInfo, A>): Promise<A> {
    const ns = query.namespace;
    const where = ns ? ` in ${ns}` : query.nodeName ? ` on ${query.nodeName}` : '';
    const list = {
      what: `list pods${where}`,
      path: ns ? `/api/v1/namespaces/${encodeURIComponent(ns)}/pods` : '/api/v1/pods',
      query: {
        fieldSelector: query.nodeName ? `spec.nodeName=${query.nodeName}` : undefined,
        labelSelector: query.labelSelector || undefined,
      },
    };
    return this.fold(list, deadline, toPodInfo, fold);
  }

  listEvents(query: EventQuery, deadline: number) {
    const list = {
      what: `list events of ${query.kind} ${query.name}`,
      path: `/api/v1/namespaces/${encodeURIComponent(query.namespace)}/events`,
      query: {
        fieldSelector: `involvedObject.kind=${query.kind},involvedObject.name=${query.name}`,
      },
    };
    return this.all(list, deadline, toEventInfo);
  }

  async getNodeLease(name: string, deadline: number) {
    const lease = await this.call(`get lease ${NODE_LEASE_NAMESPACE}/${name}`, deadline, (o) =>
      unless(
        404,
        undefined,
        this.coordination.readNamespacedLease({ name, namespace: NODE_LEASE_NAMESPACE }, o),
      ),
    );
    return lease && toLeaseInfo(lease);
  }

  listPdbs(namespace: string | undefined, deadline: number) {
    const scope = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    const list = {
      what: `list poddisruptionbudgets${namespace ? ` in ${namespace}` : ''}`,
      path: `/apis/policy/v1${scope}/poddisruptionbudgets`,
    };
    return this.all(list, deadline, toPdbInfo);
  }

  async evictPod(namespace: string, name: string, deadline: number): Promise<EvictionResult> {
    const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } };
    // One attempt: a refusal (429) comes back as `blocked` for the drain to retry in its
    // rounds, and a 500 (two budgets select the pod) is permanent.
    const spec = { server: this.server, what: `evict pod ${namespace}/${name}`, deadline };
    return kubeCall({ ...spec, retry: false }, (o) =>
      evictionOutcome(this.core.createNamespacedPodEviction({ name, namespace, body }, o)),
    );
  }

  rawGet(path: string, deadline: number): Promise<string> {
    return this.call(`GET ${path}`, deadline, (_o, signal) =>
      rawGetText(this.kc, this.server, path, signal),
    );
  }

  servingCertificate(deadline: number) {
    return this.call('TLS handshake', deadline, (_o, signal) =>
      readServingCertificate(this.kc, this.server, signal),
    );
  }

  listNamespaces(deadline: number) {
    return this.all(
      { what: 'list namespaces', path: '/api/v1/namespaces' },
      deadline,
      toNamespaceInfo,
    );
  }

  listClusterRoleBindings(deadline: number) {
    const list = { what: 'list clusterrolebindings', path: `${RBAC}/clusterrolebindings` };
    return this.all(list, deadline, toRoleBindingInfo);
  }

  listRoleBindings(deadline: number) {
    return this.all(
      { what: 'list rolebindings', path: `${RBAC}/rolebindings` },
      deadline,
      toRoleBindingInfo,
    );
  }

  listClusterRoles(deadline: number) {
    return this.all(
      { what: 'list clusterroles', path: `${RBAC}/clusterroles` },
      deadline,
      toClusterRoleInfo,
    );
  }

  listNetworkPolicies(deadline: number) {
    return this.all(
      { what: 'list networkpolicies', path: '/apis/networking.k8s.io/v1/networkpolicies' },
      deadline,
      toNetworkPolicyInfo,
    );
  }

  listServiceAccounts(query: { name?: string }, deadline: number) {
    const list = {
      what: query.name ? `list serviceaccounts named ${query.name}` : 'list serviceaccounts',
      path: '/api/v1/serviceaccounts',
      query: { fieldSelector: query.name ? `metadata.name=${query.name}` : undefined },
    };
    return this.all(list, deadline, toServiceAccountInfo);
  }
}
