/**
 * At real scale: the Kubernetes API test server serves a generated kubeadm cluster of
 * 2,003 nodes and 60,000, then 150,000 pods. The upgrade precheck and the security audit
 * run as the built `quorum` binary, node diagnosis and a drain as the built operations in a
 * child process; each process's peak RSS is read from /proc (peak-rss.ts). Asserted: every
 * list request carries `limit` and the lists are followed to the end (every node and pod
 * counted), the memory bound, and that 150,000 pods cost no more than 60,000 beyond a small
 * constant. No clock is asserted.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUORUM_BIN, QUORUM_NODE_FLAGS, cleanEnv } from '../support/cli.js';
import type { DrainData } from '../../src/operations/kube/drain.js';
import {
  kube,
  runCommand,
  startEtcd,
  startKubeApi,
  tmpDir,
  type EtcdCluster,
  type KubeApiServer,
  type RecordedRequest,
} from '../support/index.js';
import { seedLargeCluster, type LargeCluster } from '../support/kube-large.js';

const PEAK_RSS = path.resolve(import.meta.dirname, '../support/peak-rss.ts');
const OP_CHILD = path.resolve(import.meta.dirname, '../support/kube-op-child.ts');
const BOUND_MB = 300;
/** What 90,000 more pods may add to a process's peak: pages are dropped, so only noise. */
const GROWTH_MB = 40;
const SIZES = [60_000, 150_000] as const;

let api: KubeApiServer;
let etcd: EtcdCluster;
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  peakMb: number;
  lists: RecordedRequest[];
}

const isList = (r: RecordedRequest) =>
  r.method === 'GET' &&
  /\/(nodes|pods|namespaces|poddisruptionbudgets|events|clusterroles|clusterrolebindings|rolebindings|networkpolicies|serviceaccounts)$/.test(
    r.path,
  );

/** Runs `args` under node with the peak-RSS reporter; the list requests it made. */
async function measured(args: string[], vars: Record<string, string> = {}): Promise<Run> {
  const file = path.join(dir, `peak-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const before = api.requests.length;
  // With the node flags `quorum` runs with (its shebang, the image's ENTRYPOINT).
  const r = await runCommand(
    process.execPath,
    [...QUORUM_NODE_FLAGS, '--import', PEAK_RSS, ...args],
    {
      env: cleanEnv({
        ...etcd.env,
        KUBECONFIG: api.kubeconfig,
        QUORUM_CLUSTER: 'prod',
        QUORUM_SNAPSHOT_DIR: path.join(dir, 'snapshots'),
        QUORUM_TEST_PEAK_RSS_FILE: file,
        LOG_LEVEL: 'silent',
        ...vars,
      }),
      timeoutMs: 240_000,
    },
  );
  const kb = Number(await readFile(file, 'utf8').catch(() => '0'));
  return { ...r, peakMb: kb / 1024, lists: api.requests.slice(before).filter(isList) };
}

const quorum = (args: string[]) => measured([QUORUM_BIN, ...args]);
const op = (args: string[]) => measured([OP_CHILD, ...args]);

/** Every list request asked for a page of 500. */
function expectPaged(run: Run): void {
  expect(run.lists.length).toBeGreaterThan(0);
  expect(
    run.lists
      .filter((r) => r.query.limit !== '500')
      .map((r) => `${r.path}?${new URLSearchParams(r.query).toString()}`),
  ).toEqual([]);
}

const podPages = (run: Run) => run.lists.filter((r) => r.path === '/api/v1/pods');

beforeAll(async () => {
  [api, etcd] = await Promise.all([startKubeApi(), startEtcd()]);
  dir = await tmpDir('kube-scale');
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.close(), etcd?.close()]);
});

describe('Quorum against 2,003 nodes and 60,000 / 150,000 pods', () => {
  const audits = new Map<number, Run>();
  const prechecks = new Map<number, Run>();
  const clusters = new Map<number, LargeCluster>();

  beforeAll(async () => {
    for (const pods of SIZES) {
      const cluster = seedLargeCluster(api.store, { workers: 2000, pods });
      clusters.set(pods, cluster);
      audits.set(pods, await quorum(['security', 'audit', '--json', '--timeout', '20s']));
      prechecks.set(
        pods,
        await quorum(['upgrade', 'check', '--to', 'v1.32.0', '--json', '--timeout', '20s']),
      );
    }
  }, 600_000);

  it.each(SIZES)(
    'the security audit reads all %i pods in pages of 500 and stays under 300 MB',
    (pods) => {
      const run = audits.get(pods)!;
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout) as {
        data: {
          access?: {
            podsRead?: number;
            hostAccess: { namespace: string; owner: string; pods: number }[];
          };
        };
        findings: { id: string; title: string }[];
      };
      expect(report.data.access?.podsRead).toBe(pods);
      // The one hostNetwork DaemonSet, with every one of its pods counted.
      expect(report.data.access?.hostAccess).toEqual([
        expect.objectContaining({
          namespace: 'team-00000',
          owner: 'DaemonSet/node-agent',
          pods: Math.ceil((pods - 2017) / 300),
        }),
      ]);
      expectPaged(run);
      expect(podPages(run).length).toBe(Math.ceil(pods / 500));
      expect(
        podPages(run)
          .slice(1)
          .every((r) => Boolean(r.query.continue)),
      ).toBe(true);
      expect(run.peakMb).toBeGreaterThan(20);
      expect(run.peakMb).toBeLessThan(BOUND_MB);
    },
  );

  it.each(SIZES)(
    'the upgrade precheck counts all 2,003 nodes with paged lists (%i pods)',
    (pods) => {
      const run = prechecks.get(pods)!;
      const report = JSON.parse(run.stdout) as {
        findings: { id: string; title: string }[];
        data: { nodes?: unknown[] };
      };
      expect(report.findings.map((f) => f.title)).toContain('All 2003 nodes Ready');
      expectPaged(run);
      const nodePages = run.lists.filter((r) => r.path === '/api/v1/nodes');
      expect(nodePages.length).toBe(Math.ceil(2003 / 500));
      expect(run.peakMb).toBeLessThan(BOUND_MB);
    },
  );

  it('150,000 pods cost no more memory than 60,000, beyond a small constant', () => {
    const [small, large] = SIZES;
    const growth = (runs: Map<number, Run>) => runs.get(large)!.peakMb - runs.get(small)!.peakMb;
    const peaks = (runs: Map<number, Run>) =>
      SIZES.map((n) => `${n}: ${runs.get(n)!.peakMb.toFixed(0)} MB`);
    console.info(
      `peak RSS, security audit ${peaks(audits).join(', ')}; upgrade precheck ${peaks(prechecks).join(', ')}`,
    );
    expect(growth(audits)).toBeLessThan(GROWTH_MB);
    expect(growth(prechecks)).toBeLessThan(GROWTH_MB);
  });

  it('a drain of one node evicts its pods 5 at a time while a budget blocks some, never forcing them', async () => {
    const cluster = seedLargeCluster(api.store, { workers: 2000, pods: 150_000 });
    const onNode = cluster.podsOn('worker-0007').filter((p) => p.namespace !== 'team-00000');
    const guarded = onNode[1]!.namespace;
    api.store.add(
      kube.pdb({
        name: 'db-pdb',
        namespace: guarded,
        matchLabels: { app: 'web' },
        disruptionsAllowed: 0,
      }),
    );
    let inFlight = 0;
    let most = 0;
    const release = api.onRequest(async (req) => {
      if (!req.path.endsWith('/eviction')) return undefined;
      most = Math.max(most, ++inFlight);
      await sleep(40);
      inFlight -= 1;
      return undefined;
    });
    const run = await op(['drain', 'worker-0007', '5']);
    release();
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { data: DrainData };
    const blocked = onNode
      .filter((p) => p.namespace === guarded)
      .map((p) => `${p.namespace}/${p.name}`);
    expect(report.data.total).toBe(onNode.length);
    expect(report.data.blocked).toEqual(blocked);
    expect(report.data.budgets.map((b) => `${b.namespace}/${b.name}`)).toEqual([
      `${guarded}/db-pdb`,
    ]);
    expect(report.data.evicted).toHaveLength(onNode.length - blocked.length);
    for (const p of blocked) expect(api.store.get('Pod', p.split('/')[1]!, guarded)).toBeDefined();
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(5);
    expectPaged(run);
    expect(run.peakMb).toBeLessThan(BOUND_MB);
  });

  it("node diagnosis asks only for the node's own pods, by field selector, paged", async () => {
    const cluster = seedLargeCluster(api.store, { workers: 2000, pods: 150_000 });
    const run = await op(['diagnose', 'worker-0007']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { data: { pods: { name: string }[] } };
    // The generated pods on the node, and its kube-proxy.
    expect(report.data.pods.length).toBe(cluster.podsOn('worker-0007').length + 1);
    expectPaged(run);
    expect(podPages(run).map((r) => r.query.fieldSelector)).toEqual(['spec.nodeName=worker-0007']);
    expect(run.peakMb).toBeLessThan(BOUND_MB);
  });
});
