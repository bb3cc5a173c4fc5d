/**
 * The @kubernetes/client-node (1.4) adapter behind operations/kube/client.ts.
 * Object-style parameters, calls return the body. Every call is bounded by its
 * deadline (kube-call.ts) and fails as a QuorumError naming the server; 404 on a
 * read means "absent", 429 on an eviction means "a budget blocks it". Tokens never
 * reach a message or a log: errors carry the server URL and the Status message only.
 */
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  VersionApi,
  type ConfigurationOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { EvictionResult, PodQuery, EventQuery } from '../domain/kube.js';
import type { KubeClient, KubeConnector } from '../operations/kube/client.js';
import { kubeCall } from './kube-call.js';
import { loadKubeConfig, type KubeTarget } from './kube-config.js';
import {
  toClusterRoleInfo,
  toEventInfo,
  toLeaseInfo,
  toNamespaceInfo,
  toNodeInfo,
  toPdbInfo,
  toPodInfo,
  toRoleBindingInfo,
} from './kube-map.js';
import { rawGetText } from './kube-raw.js';
import { readServingCertificate } from './kube-tls.js';

const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

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
  private readonly policy: PolicyV1Api;
  private readonly coordination: CoordinationV1Api;
  private readonly rbac: RbacAuthorizationV1Api;
  private readonly versionApi: VersionApi;

  constructor(
    private readonly kc: KubeConfig,
    readonly server: string,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.policy = kc.makeApiClient(PolicyV1Api);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
    this.rbac = kc.makeApiClient(RbacAuthorizationV1Api);
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

  async version(deadline: number): Promise<string> {
    const info = await this.call('GET /version', deadline, (o) => this.versionApi.getCode({}, o));
    return info.gitVersion;
  }

  async listNodes(deadline: number) {
    const list = await this.call('list nodes', deadline, (o) => this.core.listNode({}, o));
    return list.items.map(toNodeInfo);
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

  async listPods(query: PodQuery, deadline: number) {
    const params = {
      fieldSelector: query.nodeName ? `spec.nodeName=${query.nodeName}` : undefined,
      labelSelector: query.labelSelector || undefined,
    };
    const where = query.namespace ? ` in ${query.namespace}` : '';
    const list = await this.call(`list pods${where}`, deadline, (o) =>
      query.namespace
        ? this.core.listNamespacedPod({ namespace: query.namespace, ...params }, o)
        : this.core.listPodForAllNamespaces(params, o),
    );
    return list.items.map(toPodInfo);
  }

  async listEvents(query: EventQuery, deadline: number) {
    const fieldSelector = `involvedObject.kind=${query.kind},involvedObject.name=${query.name}`;
    const list = await this.call(`list events of ${query.kind} ${query.name}`, deadline, (o) =>
      this.core.listNamespacedEvent({ namespace: query.namespace, fieldSelector }, o),
    );
    return list.items.map(toEventInfo);
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

  async listPdbs(namespace: string | undefined, deadline: number) {
    const list = await this.call('list poddisruptionbudgets', deadline, (o) =>
      namespace
        ? this.policy.listNamespacedPodDisruptionBudget({ namespace }, o)
        : this.policy.listPodDisruptionBudgetForAllNamespaces({}, o),
    );
    return list.items.map(toPdbInfo);
  }

  async evictPod(namespace: string, name: string, deadline: number): Promise<EvictionResult> {
    const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } };
    return this.call(`evict pod ${namespace}/${name}`, deadline, async (o) => {
      const evict = this.core.createNamespacedPodEviction({ name, namespace, body }, o);
      const result = await unless(429, 'blocked' as const, unless(404, 'gone' as const, evict));
      return typeof result === 'string' ? result : 'evicted';
    });
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

  async listNamespaces(deadline: number) {
    const list = await this.call('list namespaces', deadline, (o) =>
      this.core.listNamespace({}, o),
    );
    return list.items.map(toNamespaceInfo);
  }

  async listClusterRoleBindings(deadline: number) {
    const list = await this.call('list clusterrolebindings', deadline, (o) =>
      this.rbac.listClusterRoleBinding({}, o),
    );
    return list.items.map(toRoleBindingInfo);
  }

  async listRoleBindings(deadline: number) {
    const list = await this.call('list rolebindings', deadline, (o) =>
      this.rbac.listRoleBindingForAllNamespaces({}, o),
    );
    return list.items.map(toRoleBindingInfo);
  }

  async listClusterRoles(deadline: number) {
    const list = await this.call('list clusterroles', deadline, (o) =>
      this.rbac.listClusterRole({}, o),
    );
    return list.items.map(toClusterRoleInfo);
  }
}
