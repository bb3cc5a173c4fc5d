import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeClient } from '../../src/clients/kube.js';
import type { KubeClient } from '../../src/operations/kube/client.js';
import { cordon, uncordon } from '../../src/operations/kube/cordon.js';
import { drainNode, type DrainInput } from '../../src/operations/kube/drain.js';
import { controlPlane } from '../../src/operations/kube/control-plane.js';
import { recentEvents } from '../../src/operations/kube/events.js';
import { nodePods } from '../../src/operations/kube/node-pods.js';
import { nodeStatus } from '../../src/operations/kube/node-status.js';
import { kube, startKubeApi, type KubeApiServer } from '../support/index.js';

const cluster = 'test';
const timeoutMs = 2_000;

/** A clock that sleeping advances, so retry limits pass instantly. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

describe('Kubernetes operations against the test API server', () => {
  let api: KubeApiServer;
  let client: KubeClient;
  beforeEach(async () => {
    api = await startKubeApi();
    client = kubeClient({ kubeconfig: api.kubeconfig });
  });
  afterEach(() => api.close());

  /** A worker node with a web Deployment (3 pods, one here), a DaemonSet pod and a static pod. */
  function seedWorker(name = 'worker-1') {
    api.store.add(
      kube.node({ name, roles: ['worker'] }),
      kube.pod({
        name: 'kube-proxy-7xk2p',
        namespace: 'kube-system',
        node: name,
        owner: { kind: 'DaemonSet', name: 'kube-proxy' },
      }),
      kube.pod({ name: `haproxy-${name}`, namespace: 'kube-system', node: name, mirror: true }),
      kube.pod({
        name: 'web-7d4b9c-abcde',
        namespace: 'shop',
        node: name,
        owner: { kind: 'ReplicaSet', name: 'web-7d4b9c' },
        labels: { app: 'web' },
      }),
      kube.pod({
        name: 'web-7d4b9c-fghij',
        namespace: 'shop',
        node: name,
        owner: { kind: 'ReplicaSet', name: 'web-7d4b9c' },
        labels: { app: 'web' },
      }),
      kube.pod({
        name: 'cart-0',
        namespace: 'shop',
        node: name,
        owner: { kind: 'StatefulSet', name: 'cart' },
        labels: { app: 'cart' },
      }),
      kube.pod({
        name: 'elsewhere',
        namespace: 'shop',
        node: 'worker-2',
        owner: { kind: 'ReplicaSet', name: 'web-7d4b9c' },
        labels: { app: 'web' },
      }),
    );
  }

  it('reports a NotReady node whose lease is stale, with kubelet remedies', async () => {
    api.store.add(
      kube.node({ name: 'worker-3', ready: 'Unknown', internalIP: '10.0.0.23' }),
      kube.nodeLease('worker-3', 185_000),
    );
    const report = await nodeStatus(client, { cluster, node: 'worker-3', timeoutMs });
    const byId = Object.fromEntries(report.findings.map((f) => [f.id, f]));
    expect(byId['kube.node.ready']).toMatchObject({ severity: 'crit' });
    expect(byId['kube.node.ready']!.title).toContain('stopped reporting');
    expect(byId['kube.node.ready']!.remedy).toContain('ssh worker-3 systemctl status kubelet');
    expect(byId['kube.node.ready']!.remedy).toContain('journalctl -u kubelet --since -30m');
    expect(byId['kube.node.ready']!.remedy).toContain('crictl ps');
    expect(byId['kube.node.lease']).toMatchObject({ severity: 'crit' });
    expect(byId['kube.node.lease']!.title).toMatch(/renewed 3m \ds ago/);
    expect(byId['kube.node.taints']).toMatchObject({ severity: 'warn' });
    expect(report.data.node).toMatchObject({ readyStatus: 'Unknown', internalIP: '10.0.0.23' });
    expect(report.data.leaseAgeMs).toBeGreaterThan(180_000);
    expect(
      api.requestsTo(
        'GET',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/worker-3',
      ),
    ).toHaveLength(1);
  });

  it('reports a healthy node with a fresh lease as ok, and a missing node as crit', async () => {
    api.store.add(kube.node({ name: 'worker-1' }), kube.nodeLease('worker-1', 4_000));
    const healthy = await nodeStatus(client, { cluster, node: 'worker-1', timeoutMs });
    expect(healthy.findings.map((f) => f.severity)).toEqual(['ok', 'ok']);
    const missing = await nodeStatus(client, { cluster, node: 'ghost', timeoutMs });
    expect(missing.findings).toMatchObject([{ id: 'kube.node.missing', severity: 'crit' }]);
    expect(missing.data.node).toBeUndefined();
  });

  it('lists the pods on a node with DaemonSet and mirror pods marked', async () => {
    seedWorker();
    const report = await nodePods(client, { cluster, node: 'worker-1', timeoutMs });
    const classes = Object.fromEntries(report.data.pods.map((p) => [p.name, p.class]));
    expect(classes).toEqual({
      'kube-proxy-7xk2p': 'daemonset',
      'haproxy-worker-1': 'static',
      'web-7d4b9c-abcde': 'managed',
      'web-7d4b9c-fghij': 'managed',
      'cart-0': 'managed',
    });
    expect(api.requestsTo('GET', '/api/v1/pods')[0]!.query).toEqual({
      fieldSelector: 'spec.nodeName=worker-1',
      limit: '500',
    });
  });

  it('cordons with a patch of spec.unschedulable, and a second cordon patches nothing', async () => {
    seedWorker();
    const first = await cordon(client, { cluster, node: 'worker-1', timeoutMs });
    expect(first.data).toMatchObject({ changed: true, unschedulable: true });
    const patches = api.requestsTo('PATCH', '/api/v1/nodes/worker-1');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.contentType).toBe('application/strategic-merge-patch+json');
    expect(patches[0]!.body).toEqual({ spec: { unschedulable: true } });
    expect(api.store.get('Node', 'worker-1')!.spec).toMatchObject({ unschedulable: true });

    const second = await cordon(client, { cluster, node: 'worker-1', timeoutMs });
    expect(second.data.changed).toBe(false);
    expect(second.findings[0]).toMatchObject({ severity: 'ok' });
    expect(second.findings[0]!.title).toContain('already cordoned');
    expect(api.requestsTo('PATCH', '/api/v1/nodes')).toHaveLength(1);

    const back = await uncordon(client, { cluster, node: 'worker-1', timeoutMs });
    expect(back.data).toMatchObject({ changed: true, unschedulable: false });
    expect(api.requestsTo('PATCH', '/api/v1/nodes').at(-1)!.body).toEqual({
      spec: { unschedulable: false },
    });
  });

  it('drains: evicts normal pods, leaves DaemonSet and mirror pods, reports progress', async () => {
    seedWorker();
    const progress: [number, number][] = [];
    const report = await drainNode(client, {
      cluster,
      node: 'worker-1',
      timeoutMs,
      onProgress: (p) => progress.push([p.done, p.total]),
      ...fakeTime(),
    });
    expect(report.findings[0]).toMatchObject({ id: 'kube.drain', severity: 'ok' });
    expect(report.data.evicted.sort()).toEqual([
      'shop/cart-0',
      'shop/web-7d4b9c-abcde',
      'shop/web-7d4b9c-fghij',
    ]);
    expect(report.data.skipped.map((s) => s.class).sort()).toEqual(['daemonset', 'static']);
    expect(progress).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(api.store.get('Node', 'worker-1')!.spec).toMatchObject({ unschedulable: true });
    const left = api.store
      .list('Pod')
      .map((p) => p.metadata.name)
      .sort();
    expect(left).toEqual(['elsewhere', 'haproxy-worker-1', 'kube-proxy-7xk2p']);
    expect(api.requestsTo('POST', /\/eviction$/)).toHaveLength(3);
    expect(api.requestsTo('DELETE', '/')).toHaveLength(0);
  });

  it('stops a drain blocked by a PDB after the retry limit, names the PDB, and never forces', async () => {
    seedWorker();
    api.store.add(
      kube.pdb({
        name: 'web-pdb',
        namespace: 'shop',
        matchLabels: { app: 'web' },
        disruptionsAllowed: 1,
        currentHealthy: 3,
        desiredHealthy: 2,
      }),
    );
    const time = fakeTime();
    const input: DrainInput = {
      cluster,
      node: 'worker-1',
      timeoutMs,
      retryIntervalMs: 5_000,
      retryLimitMs: 30_000,
      ...time,
    };
    const report = await drainNode(client, input);

    const blocked = report.findings.filter((f) => f.id === 'kube.drain.blocked');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({ severity: 'crit' });
    expect(blocked[0]!.title).toContain('shop/web-pdb');
    expect(blocked[0]!.detail).toContain('disruptionsAllowed 0');
    expect(report.data.budgets).toMatchObject([
      { name: 'web-pdb', disruptionsAllowed: 0, pods: ['shop/web-7d4b9c-fghij'] },
    ]);
    // One web pod was allowed to go, the other stays; the cart pod has no budget.
    expect(report.data.evicted.sort()).toEqual(['shop/cart-0', 'shop/web-7d4b9c-abcde']);
    expect(api.store.get('Pod', 'web-7d4b9c-fghij', 'shop')).toBeDefined();
    // The pause doubles from the interval; the last one ends at the limit.
    expect(report.data.rounds).toBe(4);
    expect(time.sleeps).toEqual([5_000, 10_000, 15_000]);
    expect(
      api.requestsTo('POST', '/api/v1/namespaces/shop/pods/web-7d4b9c-fghij/eviction'),
    ).toHaveLength(4);
    expect(api.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
    // Running it again is safe: evicted pods are simply no longer there.
    const again = await drainNode(client, { ...input, retryLimitMs: 0 });
    expect(again.data).toMatchObject({
      total: 1,
      evicted: [],
      blocked: ['shop/web-7d4b9c-fghij'],
      cordoned: false,
    });
  });

  it('finishes the drain when the PDB frees up after two refusals', async () => {
    seedWorker();
    api.store.add(
      kube.pdb({
        name: 'web-pdb',
        namespace: 'shop',
        matchLabels: { app: 'web' },
        disruptionsAllowed: 0,
      }),
    );
    let refusals = 0;
    api.onRequest((req, store) => {
      if (!req.path.endsWith('/eviction') || !req.path.includes('/web-')) return undefined;
      const pdb = store.get('PodDisruptionBudget', 'web-pdb', 'shop')!;
      const status = pdb.status as { disruptionsAllowed: number };
      if (status.disruptionsAllowed === 0 && ++refusals > 2) status.disruptionsAllowed = 2;
      return undefined;
    });
    const report = await drainNode(client, {
      cluster,
      node: 'worker-1',
      timeoutMs,
      retryIntervalMs: 1_000,
      retryLimitMs: 60_000,
      ...fakeTime(),
    });
    expect(report.findings[0]).toMatchObject({ id: 'kube.drain', severity: 'ok' });
    expect(report.data.evicted).toHaveLength(3);
    expect(report.data.blocked).toEqual([]);
    expect(report.data.rounds).toBe(2);
  });

  it('shows the recent events of a node, newest first and limited', async () => {
    api.store.add(
      ...[5, 1, 3, 2, 4].map((minutes) =>
        kube.event({
          name: `worker-1.${minutes}`,
          object: { kind: 'Node', name: 'worker-1' },
          type: minutes === 1 ? 'Warning' : 'Normal',
          reason: minutes === 1 ? 'NodeNotReady' : `Step${minutes}`,
          message: `${minutes} minutes ago`,
          lastSeenAgoMs: minutes * 60_000,
        }),
      ),
      kube.event({
        name: 'other',
        object: { kind: 'Node', name: 'worker-2' },
        reason: 'X',
        message: 'x',
      }),
    );
    const report = await recentEvents(client, {
      cluster,
      kind: 'Node',
      name: 'worker-1',
      limit: 3,
      timeoutMs,
    });
    expect(report.data.events.map((e) => e.message)).toEqual([
      '1 minutes ago',
      '2 minutes ago',
      '3 minutes ago',
    ]);
    expect(report.findings).toMatchObject([{ id: 'kube.events.warning', severity: 'warn' }]);
    expect(report.findings[0]!.detail).toContain('NodeNotReady: 1 minutes ago');
  });

  it('judges the control plane: readiness, versions from image tags, missing components', async () => {
    api.store.add(
      kube.node({ name: 'cp-1', roles: ['control-plane'] }),
      kube.node({ name: 'cp-2', roles: ['control-plane'] }),
      ...kube.controlPlanePods('cp-1', 'v1.31.4'),
      ...kube
        .controlPlanePods('cp-2', 'v1.30.8')
        .filter((p) => !p.metadata.name.startsWith('kube-scheduler')),
      kube.pod({
        name: 'coredns-abc',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns' },
      }),
    );
    api.store.update('Pod', 'etcd-cp-2', 'kube-system', (p) => {
      (p.status as { conditions: { type: string; status: string }[] }).conditions[1]!.status =
        'False';
    });
    const report = await controlPlane(client, { cluster, timeoutMs });
    expect(report.data.nodes).toEqual(['cp-1', 'cp-2']);
    expect(report.data.pods).toHaveLength(7);
    expect(report.data.pods.find((p) => p.name === 'kube-apiserver-cp-1')).toMatchObject({
      component: 'kube-apiserver',
      node: 'cp-1',
      ready: true,
      image: 'registry.k8s.io/kube-apiserver:v1.31.4',
      version: 'v1.31.4',
    });
    const titles = report.findings.map((f) => `${f.severity} ${f.title}`);
    expect(titles).toContain('crit etcd-cp-2 is not ready (Running)');
    expect(titles).toContain('crit Control-plane node cp-2 runs no kube-scheduler pod');
    expect(titles).toContain('warn Control-plane components run 2 versions: v1.30.8, v1.31.4');
  });

  it('records a pod two budgets select as failed, and drains the rest', async () => {
    seedWorker();
    api.store.add(
      kube.pdb({
        name: 'cart-a',
        namespace: 'shop',
        matchLabels: { app: 'cart' },
        disruptionsAllowed: 1,
      }),
      kube.pdb({
        name: 'cart-b',
        namespace: 'shop',
        matchLabels: { app: 'cart' },
        disruptionsAllowed: 1,
      }),
    );
    const report = await drainNode(client, { cluster, node: 'worker-1', timeoutMs, ...fakeTime() });
    expect(report.data.failed).toEqual([
      {
        pod: 'shop/cart-0',
        error: expect.stringContaining('more than one PodDisruptionBudget') as string,
      },
    ]);
    expect(report.data.evicted).toHaveLength(2);
    expect(report.findings[0]).toMatchObject({ id: 'kube.drain.failed', severity: 'crit' });
    expect(api.requestsTo('POST', '/api/v1/namespaces/shop/pods/cart-0/eviction')).toHaveLength(1);
  });

  it('counts pods that vanished before their eviction as done', async () => {
    seedWorker();
    api.onRequest((req, store) => {
      if (req.path.endsWith('/cart-0/eviction')) store.delete('Pod', 'cart-0', 'shop');
      return undefined;
    });
    const report = await drainNode(client, { cluster, node: 'worker-1', timeoutMs, ...fakeTime() });
    expect(report.data.gone).toEqual(['shop/cart-0']);
    expect(report.findings[0]).toMatchObject({ severity: 'ok' });
  });
});
