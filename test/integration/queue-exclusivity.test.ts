/**
 * Per-cluster maintenance exclusivity with two workers on one real etcd: snapshots,
 * compactions and a defrag enqueued at once all complete, never two at a time; the
 * ones that found the cluster busy waited instead of failing. And the lease itself:
 * renewed while held, taken over only after a dead holder's TTL, never released by a
 * holder that lost it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseHolder, tryAcquireLease } from '../../src/state/locks.js';
import { enqueueJob, type JobRequest } from '../../src/transport/queue/enqueue.js';
import type { JobSummary } from '../../src/transport/queue/job-data.js';
import { tmpDir } from '../support/index.js';
import { approvedApproval } from '../support/approved.js';
import { startTestServers, type TestServers } from '../support/test-servers.js';
import {
  startTestRuntime,
  testConfig,
  uniquePrefix,
  waitForJob,
  type TestRuntime,
} from '../e2e/harness.js';

let servers: TestServers;
let workers: TestRuntime[] = [];

beforeAll(async () => {
  servers = await startTestServers({ etcdMembers: 1 });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await servers?.close();
});

describe('maintenance exclusivity', () => {
  it('runs snapshot, compact and defrag jobs of one cluster one at a time across two workers', async () => {
    const config = testConfig(
      {
        clusters: [
          {
            name: 'c1',
            etcd: { endpoints: servers.etcd.endpoints },
            snapshotDir: await tmpDir('excl'),
          },
        ],
      },
      servers.env,
    );
    const prefix = uniquePrefix('excl');
    workers = await Promise.all(
      [1, 2].map(() =>
        startTestRuntime(config, { prefix, clusters: ['c1'], concurrency: 1, busyRetryMs: 150 }),
      ),
    );
    const base = { cluster: 'c1', requestedBy: 'U1', target: { kind: 'terminal' as const } };
    // Destructive jobs run only on approvals the store holds as approved; their jobs are
    // enqueued by hand, not by the sweep.
    const approve = (id: string, action: string) =>
      approvedApproval(servers.client, prefix, id, action, { endIntent: true });
    const compactOk = await approve(`${prefix}-compact`, 'etcd.compact');
    const compactAgain = await approve(`${prefix}-compact-2`, 'etcd.compact'); // one job per approval
    const defragOk = await approve(`${prefix}-defrag`, 'etcd.defrag');
    const requests: JobRequest[] = [
      { ...base, kind: 'etcd.snapshot', requestId: 's1' },
      { ...base, kind: 'etcd.compact', requestId: 'c1', approval: compactOk },
      { ...base, kind: 'etcd.defrag', requestId: 'd1', approval: defragOk },
      { ...base, kind: 'etcd.snapshot', requestId: 's2' },
      { ...base, kind: 'etcd.compact', requestId: 'c2', approval: compactAgain },
      { ...base, kind: 'etcd.check', requestId: 'k1' },
    ];
    const ids = await Promise.all(requests.map((r) => enqueueJob(workers[0]!.runtime.queues, r)));
    const queue = workers[0]!.runtime.queues.queue('c1');
    const jobs = await Promise.all(
      ids.map((e) => waitForJob(queue, e.jobId, ['completed'], 45_000)),
    );
    const spans = jobs
      .filter((j) => j.name !== 'etcd.check')
      .map((j) => {
        const r = j.returnvalue as JobSummary;
        return { name: j.name, start: Date.parse(r.startedAt), end: Date.parse(r.finishedAt) };
      })
      .sort((a, b) => a.start - b.start);
    expect(spans).toHaveLength(5);
    for (let i = 1; i < spans.length; i++) {
      expect(
        spans[i]!.start,
        `${spans[i]!.name} started before ${spans[i - 1]!.name} ended`,
      ).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    }
    // Both workers took part, and jobs that found the cluster busy waited (no failure).
    expect(new Set(jobs.map((j) => j.processedBy)).size).toBe(2);
    const metrics = await Promise.all(workers.map((w) => w.deps.metrics.registry.metrics()));
    const deferred = metrics.map((m) =>
      Number(/quorum_maintenance_deferred_total\{cluster="c1"\} (\d+)/.exec(m)?.[1] ?? 0),
    );
    expect(deferred.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(jobs.every((j) => j.attemptsMade === 1)).toBe(true);
  }, 60_000);
});

describe('maintenance lease', () => {
  it('is renewed while held and released only by its holder', async () => {
    const key = `${uniquePrefix('lease')}:lock`;
    const lease = await tryAcquireLease(servers.client, key, { ttlMs: 300, holder: 'w1' });
    expect(lease).toBeDefined();
    expect(await tryAcquireLease(servers.client, key, { ttlMs: 300 })).toBeUndefined();
    await new Promise((r) => setTimeout(r, 900)); // three TTLs: renewals kept it
    expect(await leaseHolder(servers.client, key)).toBe(lease!.token);
    expect(await lease!.release()).toBe(true);
    const next = await tryAcquireLease(servers.client, key, { ttlMs: 300 });
    expect(next).toBeDefined();
    await next!.release();
  });

  it("of a dead holder expires after its TTL; a holder that lost it finds out and does not release the new one's", async () => {
    const key = `${uniquePrefix('lease')}:lock`;
    await servers.client.set(key, 'dead-worker/x', 'PX', 400); // a holder killed without releasing
    expect(await tryAcquireLease(servers.client, key, { ttlMs: 400 })).toBeUndefined();
    await new Promise((r) => setTimeout(r, 500));
    let lost = false;
    const lease = await tryAcquireLease(servers.client, key, {
      ttlMs: 300,
      onLost: () => (lost = true),
    });
    expect(lease).toBeDefined();
    await servers.client.set(key, 'someone-else'); // e.g. expired during a long pause and taken over
    await expect.poll(() => lost, { timeout: 2_000 }).toBe(true);
    expect(await lease!.release()).toBe(false);
    expect(await servers.client.get(key)).toBe('someone-else');
  });
});
