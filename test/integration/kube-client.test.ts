import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeClient } from '../../src/clients/kube.js';
import { isQuorumError, type QuorumError } from '../../src/domain/errors.js';
import type { KubeClient } from '../../src/operations/kube/client.js';
import {
  kube,
  kubeStatus,
  sharedOtherCa,
  startKubeApi,
  tmpDir,
  type KubeApiServer,
} from '../support/index.js';

const soon = () => Date.now() + 2_000;

async function failure(work: () => unknown): Promise<QuorumError> {
  try {
    await work();
  } catch (err) {
    if (isQuorumError(err)) return err;
    throw err;
  }
  throw new Error('expected a QuorumError');
}

describe('the @kubernetes/client-node adapter', () => {
  let api: KubeApiServer;
  let client: KubeClient;
  beforeAll(async () => {
    api = await startKubeApi();
    client = kubeClient({ kubeconfig: api.kubeconfig });
    api.store.add(
      kube.node({ name: 'cp-1', roles: ['control-plane'], internalIP: '10.0.0.11' }),
      kube.node({ name: 'worker-1', pressure: { disk: true }, unschedulable: true }),
      kube.pod({
        name: 'web-1',
        namespace: 'shop',
        node: 'worker-1',
        labels: { app: 'web', tier: 'front' },
        owner: { kind: 'ReplicaSet', name: 'web-5f' },
        images: ['nginx:1.27', 'busybox:1.36'],
        restarts: 4,
        ready: false,
      }),
      kube.pod({ name: 'api-1', namespace: 'shop', node: 'worker-2', labels: { app: 'api' } }),
      kube.event({
        name: 'worker-1.a',
        object: { kind: 'Node', name: 'worker-1' },
        type: 'Warning',
        reason: 'NodeNotReady',
        message: 'Node worker-1 status is now: NodeNotReady',
        count: 3,
      }),
      kube.event({
        name: 'cp-1.a',
        object: { kind: 'Node', name: 'cp-1' },
        reason: 'Starting',
        message: 'Starting kubelet.',
      }),
      kube.nodeLease('worker-1', 12_000),
      kube.pdb({
        name: 'web-pdb',
        namespace: 'shop',
        matchLabels: { app: 'web' },
        disruptionsAllowed: 1,
      }),
      kube.namespace('shop', { 'pod-security.kubernetes.io/enforce': 'baseline' }),
      kube.clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
      kube.clusterRoleBinding('ops-admin', 'cluster-admin', [{ kind: 'Group', name: 'ops' }]),
      kube.roleBinding('shop', 'ci-edit', { kind: 'ClusterRole', name: 'edit' }, [
        { kind: 'ServiceAccount', name: 'ci', namespace: 'shop' },
      ]),
    );
  });
  afterAll(() => api.close());

  it('reads /version and text endpoints', async () => {
    expect(await client.version(soon())).toBe('v1.31.4');
    api.store.metrics = 'apiserver_requested_deprecated_apis{group="batch",version="v1beta1"} 1\n';
    expect(await client.rawGet('/metrics', soon())).toContain(
      'apiserver_requested_deprecated_apis',
    );
    expect(api.requestsTo('GET', '/metrics').every((r) => r.authorized)).toBe(true);
  });

  it('maps nodes: roles, pressure, cordon, versions, internal IP', async () => {
    const nodes = await client.listNodes(soon());
    expect(nodes.map((n) => n.name)).toEqual(['cp-1', 'worker-1']);
    expect(nodes[0]).toMatchObject({
      roles: ['control-plane'],
      ready: true,
      internalIP: '10.0.0.11',
      kubeletVersion: 'v1.31.4',
      containerRuntimeVersion: 'containerd://1.7.24',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(await client.getNode('worker-1', soon())).toMatchObject({
      unschedulable: true,
      pressure: { memory: false, disk: true, pid: false },
      taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
    });
    expect(await client.getNode('nope', soon())).toBeUndefined();
  });

  it('lists pods by node, namespace and label selector', async () => {
    const byNode = await client.listPods({ nodeName: 'worker-1' }, soon());
    expect(byNode).toEqual([
      expect.objectContaining({
        namespace: 'shop',
        name: 'web-1',
        node: 'worker-1',
        phase: 'Running',
        ready: false,
        ownerKind: 'ReplicaSet',
        mirror: false,
        images: ['nginx:1.27', 'busybox:1.36'],
        restarts: 4,
      }),
    ]);
    const selected = await client.listPods(
      { namespace: 'shop', labelSelector: 'app in (api)' },
      soon(),
    );
    expect(selected.map((p) => p.name)).toEqual(['api-1']);
    expect(api.requestsTo('GET', '/api/v1/namespaces/shop/pods').at(-1)!.query).toEqual({
      labelSelector: 'app in (api)',
      limit: '500',
    });
  });

  it('reads events by involved object, node leases and PDBs', async () => {
    const events = await client.listEvents(
      { namespace: 'default', kind: 'Node', name: 'worker-1' },
      soon(),
    );
    expect(events).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'NodeNotReady',
        count: 3,
        source: 'node-controller',
      }),
    ]);
    expect(api.requestsTo('GET', '/api/v1/namespaces/default/events').at(-1)!.query).toEqual({
      fieldSelector: 'involvedObject.kind=Node,involvedObject.name=worker-1',
      limit: '500',
    });
    const lease = await client.getNodeLease('worker-1', soon());
    expect(lease).toMatchObject({ namespace: 'kube-node-lease', holderIdentity: 'worker-1' });
    expect(Date.now() - Date.parse(lease!.renewTime!)).toBeGreaterThanOrEqual(12_000);
    expect(await client.getNodeLease('cp-1', soon())).toBeUndefined();
    expect(await client.listPdbs(undefined, soon())).toEqual([
      {
        namespace: 'shop',
        name: 'web-pdb',
        selector: { matchLabels: { app: 'web' } },
        disruptionsAllowed: 1,
        currentHealthy: 2,
        desiredHealthy: 1,
        expectedPods: 2,
      },
    ]);
    expect(await client.listPdbs('kube-system', soon())).toEqual([]);
  });

  it('lists namespaces and RBAC objects for the security audit', async () => {
    expect(await client.listNamespaces(soon())).toEqual([
      {
        name: 'shop',
        labels: {
          'kubernetes.io/metadata.name': 'shop',
          'pod-security.kubernetes.io/enforce': 'baseline',
        },
      },
    ]);
    expect(await client.listClusterRoles(soon())).toEqual([
      {
        name: 'cluster-admin',
        rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
        aggregated: false,
        labels: {},
      },
    ]);
    expect(await client.listClusterRoleBindings(soon())).toEqual([
      {
        name: 'ops-admin',
        roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'Group', name: 'ops' }],
      },
    ]);
    expect(await client.listRoleBindings(soon())).toEqual([
      {
        namespace: 'shop',
        name: 'ci-edit',
        roleRef: { kind: 'ClusterRole', name: 'edit' },
        subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'shop' }],
      },
    ]);
  });

  it('evicts: 201 → evicted, 404 → gone', async () => {
    api.store.add(kube.pod({ name: 'tmp', namespace: 'shop', node: 'worker-1' }));
    expect(await client.evictPod('shop', 'tmp', soon())).toBe('evicted');
    expect(await client.evictPod('shop', 'tmp', soon())).toBe('gone');
    expect(api.requestsTo('POST', '/api/v1/namespaces/shop/pods/tmp/eviction')[0]!.body).toEqual({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'tmp', namespace: 'shop' },
    });
  });

  it('403 → KUBE_FORBIDDEN with the API server message', async () => {
    const message =
      'clusterroles.rbac.authorization.k8s.io is forbidden: User "system:serviceaccount:quorum:quorum" cannot list resource "clusterroles"';
    const remove = api.onRequest((req) =>
      req.path.endsWith('/clusterroles') ? kubeStatus(403, 'Forbidden', message) : undefined,
    );
    try {
      const err = await failure(() => client.listClusterRoles(soon()));
      expect(err.code).toBe('KUBE_FORBIDDEN');
      expect(err.message).toContain(message);
      expect(err.hint).toContain('kubectl auth can-i');
    } finally {
      remove();
    }
  });

  it('500 → KUBE_OPERATION_FAILED with the status message', async () => {
    const remove = api.onRequest(() =>
      kubeStatus(500, 'InternalError', 'etcdserver: request timed out'),
    );
    try {
      const err = await failure(() => client.listNodes(soon()));
      expect(err.code).toBe('KUBE_OPERATION_FAILED');
      expect(err.message).toContain('etcdserver: request timed out');
    } finally {
      remove();
    }
  });
});

describe('building the client from a kubeconfig', () => {
  let api: KubeApiServer;
  beforeAll(async () => {
    api = await startKubeApi();
  });
  afterAll(() => api.close());

  it('selects the named context', async () => {
    const file = await api.writeKubeconfig({ otherServer: 'https://10.9.9.9:6443' });
    expect(kubeClient({ kubeconfig: file }).server).toBe(api.url);
    expect(kubeClient({ kubeconfig: file, context: 'other' }).server).toBe('https://10.9.9.9:6443');
  });

  it('uses KUBECONFIG when the cluster names no kubeconfig', async () => {
    const client = kubeClient({}, { KUBECONFIG: api.kubeconfig });
    expect(await client.version(soon())).toBe('v1.31.4');
  });

  it('refuses a missing file, an unknown context and a plain-http server with KUBECONFIG_INVALID', async () => {
    const missing = await failure(() => kubeClient({ kubeconfig: '/nonexistent/admin.conf' }));
    expect(missing).toMatchObject({ code: 'KUBECONFIG_INVALID' });
    expect(missing.message).toContain('/nonexistent/admin.conf');
    const context = await failure(() =>
      kubeClient({ kubeconfig: api.kubeconfig, context: 'prod' }),
    );
    expect(context.message).toContain('no context "prod"');
    expect(context.hint).toContain('test');
    const http = await failure(async () =>
      kubeClient({ kubeconfig: await api.writeKubeconfig({ server: 'http://127.0.0.1:8080' }) }),
    );
    expect(http.message).toContain('plain-HTTP');
  });

  it('a server certificate from another CA → KUBE_UNREACHABLE naming TLS', async () => {
    const other = await sharedOtherCa();
    const dir = await tmpDir('kubeconfig');
    const file = path.join(dir, 'kubeconfig');
    const config = JSON.parse(await readFile(api.kubeconfig, 'utf8')) as {
      clusters: { cluster: Record<string, string> }[];
    };
    config.clusters[0]!.cluster['certificate-authority-data'] = Buffer.from(
      await readFile(other.ca, 'utf8'),
    ).toString('base64');
    await writeFile(file, JSON.stringify(config));
    const err = await failure(() => kubeClient({ kubeconfig: file }).version(soon()));
    expect(err.code).toBe('KUBE_UNREACHABLE');
    expect(err.message).toContain('TLS');
    expect(err.message).toContain(api.url);
  });
});
