/**
 * A drain evicts several pods at once, within its configured limit, while budgets
 * refuse some: the real @kubernetes/client-node against the Kubernetes API test
 * server, which holds every eviction answer a little so that the requests in flight
 * at once can be counted where they arrive.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeClient } from '../../src/clients/kube.js';
import { loadConfig } from '../../src/config/load.js';
import type { KubeClient } from '../../src/operations/kube/client.js';
import { drainNode, type DrainProgress } from '../../src/operations/kube/drain.js';
import { drainProgressText } from '../../src/operations/kube/drain-progress.js';
import type { JobContext } from '../../src/transport/queue/job-kind.js';
import { kubeDrain } from '../../src/transport/queue/kube-jobs.js';
import { kube, kubeStatus, startKubeApi, type KubeApiServer } from '../support/kube-api.js';

const cluster = 'test';
const timeoutMs = 5_000;
const range = (n: number, name: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => name(i));
const WEB = range(30, (i) => `web-${i}`);
const DB = range(4, (i) => `db-${i}`);
const CACHE = range(4, (i) => `cache-${i}`);
const ref = (name: string) => `shop/${name}`;

/** A clock that sleeping advances, so retry limits pass at once. */
function fakeTime() {
  let now = 1_000_000;
  return {
    now: () => now,
    sleep: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
  };
}

describe('a drain with concurrent evictions against the test API server', () => {
  let api: KubeApiServer;
  let client: KubeClient;
  beforeEach(async () => {
    api = await startKubeApi();
    client = kubeClient({ kubeconfig: api.kubeconfig });
  });
  afterEach(() => api.close());

  /**
   * worker-1 with 40 pods: 30 web pods (no budget), 4 db pods whose budget allows no
   * disruption, 4 cache pods whose budget frees up after four refusals, a batch pod
   * that vanishes before its eviction, and a DaemonSet pod that stays.
   */
  function seed() {
    const pod = (name: string, app: string) =>
      kube.pod({
        name,
        namespace: 'shop',
        node: 'worker-1',
        owner: { kind: 'ReplicaSet', name: `${app}-rs` },
        labels: { app },
      });
    api.store.add(
      kube.node({ name: 'worker-1', roles: ['worker'] }),
      ...DB.map((n) => pod(n, 'db')),
      ...CACHE.map((n) => pod(n, 'cache')),
      ...WEB.map((n) => pod(n, 'web')),
      pod('batch-0', 'batch'),
      kube.pod({
        name: 'node-exporter-x',
        namespace: 'monitoring',
        node: 'worker-1',
        owner: { kind: 'DaemonSet', name: 'node-exporter' },
      }),
      kube.pdb({
        name: 'db-pdb',
        namespace: 'shop',
        matchLabels: { app: 'db' },
        disruptionsAllowed: 0,
      }),
      kube.pdb({
        name: 'cache-pdb',
        namespace: 'shop',
        matchLabels: { app: 'cache' },
        disruptionsAllowed: 0,
      }),
    );
  }

  /** Holds every eviction answer `ms`; counts the evictions in flight at the server. */
  function slowEvictions(ms: number) {
    const seen = { now: 0, max: 0 };
    api.onRequest(async (req) => {
      if (req.method !== 'POST' || !req.path.endsWith('/eviction')) return undefined;
      seen.now += 1;
      seen.max = Math.max(seen.max, seen.now);
      await sleep(ms);
      seen.now -= 1;
      return undefined;
    });
    return seen;
  }

  /** cache-pdb allows four disruptions from its fifth refused eviction on; batch-0 vanishes. */
  function cacheFreesUpAndBatchVanishes() {
    let refusals = 0;
    api.onRequest((req, store) => {
      if (req.path.endsWith('/pods/batch-0/eviction')) store.delete('Pod', 'batch-0', 'shop');
      if (!/\/pods\/cache-\d+\/eviction$/.test(req.path)) return undefined;
      const status = store.get('PodDisruptionBudget', 'cache-pdb', 'shop')!.status as {
        disruptionsAllowed: number;
      };
      if (status.disruptionsAllowed === 0 && ++refusals > 4) status.disruptionsAllowed = 4;
      return undefined;
    });
  }

  const posts = (name: string) =>
    api.requestsTo('POST', `/api/v1/namespaces/shop/pods/${name}/eviction`).length;

  it('evicts several pods at once within the default limit of 5, each once, and never a blocked one', async () => {
    seed();
    const inFlight = slowEvictions(40);
    cacheFreesUpAndBatchVanishes();
    const progress: DrainProgress[] = [];
    const report = await drainNode(client, {
      cluster,
      node: 'worker-1',
      timeoutMs,
      retryIntervalMs: 1_000,
      retryLimitMs: 20_000,
      onProgress: (p) => progress.push(p),
      ...fakeTime(),
    });

    expect(inFlight.max).toBeGreaterThan(1);
    expect(inFlight.max).toBeLessThanOrEqual(5);
    // Every evictable pod evicted exactly once; the refused cache pods were asked again.
    expect([...report.data.evicted].sort()).toEqual([...CACHE, ...WEB].map(ref).sort());
    expect(report.data.gone).toEqual(['shop/batch-0']);
    for (const name of [...WEB, 'batch-0']) expect(posts(name), name).toBe(1);
    for (const name of CACHE) expect(posts(name), name).toBe(2);
    // The db pods stay, reported with their budget, asked once a round and never deleted.
    expect(report.data.blocked).toEqual(DB.map(ref));
    expect(report.data.budgets).toMatchObject([{ name: 'db-pdb', pods: DB.map(ref) }]);
    const blocked = report.findings.find((f) => f.id === 'kube.drain.blocked');
    expect(blocked?.title).toContain('shop/db-pdb');
    for (const name of DB) {
      expect(api.store.get('Pod', name, 'shop')).toBeDefined();
      expect(posts(name)).toBe(report.data.rounds);
    }
    expect(report.data.rounds).toBeGreaterThan(2);
    expect(api.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
    // Progress names the budgets that block, as the API server named them.
    const texts = progress.map(drainProgressText);
    expect(texts[0]).toBe('evicted 0/39');
    expect(texts).toContain('evicted 31/39, 4 blocked by cache-pdb, 4 by db-pdb');
    expect(texts.at(-1)).toBe('evicted 35/39, 4 blocked by db-pdb');
    expect(new Set(texts).size).toBe(texts.length); // told only when it changed
  });

  it('keeps to maintenance.drainConcurrency: 2 from the config file, and the job tells "blocked by"', async () => {
    seed();
    const inFlight = slowEvictions(25);
    cacheFreesUpAndBatchVanishes();
    const config = loadConfig({ QUORUM_CONFIG: 'quorum.yaml' }, () =>
      [
        'clusters:',
        '  - { name: test, etcd: { endpoints: ["http://127.0.0.1:2379"] } }',
        'maintenance:',
        '  drainConcurrency: 2',
        '  drainRetryInterval: 20ms',
        '  drainRetryLimit: 3s',
      ].join('\n'),
    );
    expect(config.maintenance.drainConcurrency).toBe(2);
    const steps: string[] = [];
    const ctx: JobContext = {
      config,
      cluster: config.clusters[0]!,
      connect: () => {
        throw new Error('a drain needs no etcd');
      },
      kube: () => client,
      backup: () => {
        throw new Error('a drain needs no Velero');
      },
      requestedBy: 'U0BOB',
      jobId: 'kube.drain@t1',
      progress: (p) => steps.push(p.step),
      snapshots: () => {
        throw new Error('a drain needs no snapshot store');
      },
    };
    const report = await kubeDrain.run(ctx, { node: 'worker-1' });

    expect(inFlight.max).toBe(2);
    expect(report.data).toMatchObject({ blocked: DB.map(ref) });
    expect(steps[0]).toBe('evicted 0/39');
    expect(steps).toContain('evicted 31/39, 4 blocked by cache-pdb, 4 by db-pdb');
    expect(steps.at(-1)).toBe('evicted 35/39, 4 blocked by db-pdb');
    for (const name of DB) expect(api.store.get('Pod', name, 'shop')).toBeDefined();
  }, 30_000);

  it('stops at a 403 once the evictions in flight are answered, starting no more', async () => {
    seed();
    let count = 0;
    api.onRequest((req) => {
      if (req.method !== 'POST' || !req.path.endsWith('/eviction')) return undefined;
      return ++count === 10 ? kubeStatus(403, 'Forbidden', 'evictions is forbidden') : undefined;
    });
    const inFlight = slowEvictions(40);
    const drain = drainNode(client, { cluster, node: 'worker-1', timeoutMs, ...fakeTime() });

    await expect(drain).rejects.toMatchObject({ code: 'KUBE_FORBIDDEN' });
    expect(inFlight.max).toBeGreaterThan(1);
    expect(inFlight.now).toBe(0); // nothing left running behind the failed drain
    await sleep(200);
    const evictions = api.requestsTo('POST', /\/eviction$/).length;
    expect(evictions).toBeGreaterThanOrEqual(10);
    expect(evictions).toBeLessThanOrEqual(14); // the 10th and at most 4 already in flight
    expect(api.store.list('Pod').length).toBeGreaterThanOrEqual(40 - 14);
  });
});
