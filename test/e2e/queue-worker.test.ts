/**
 * `quorum worker` as a process against real Redis and a real etcd whose snapshot
 * stream is slowed by a proxy (so the test can act while a snapshot streams): SIGTERM
 * lets a running job finish, takes no new one and closes everything; health,
 * readiness and metrics; bad flags.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import { JobQueues } from '../../src/transport/queue/queues.js';
import { quorum } from '../support/cli.js';
import { startRedis, waitFor } from '../support/index.js';
import { waitForJob } from './harness.js';
import { get, snapshotFiles, streaming, terminalRequest, workerFixture } from './worker-process.js';

const fx = workerFixture();

describe('quorum worker (process)', () => {
  it('on SIGTERM finishes the running job, takes no new one, closes everything and exits 0', async () => {
    const { snapshotDir, env } = await fx.setup('term', 1_000_000, { shutdownTimeout: '30s' });
    const w = await fx.start(env);
    const { jobId } = await enqueueJob(fx.f.queues, terminalRequest('etcd.snapshot', 'term-1'));
    await waitFor(() => streaming(snapshotDir), {
      what: 'the snapshot to stream',
      timeoutMs: 20_000,
      context: () => w.proc.logs(),
    });
    w.proc.child.kill('SIGTERM');
    await waitFor(() => Promise.resolve(w.proc.logs().includes('shutting down')), {
      what: 'the worker to begin its shutdown',
      context: () => w.proc.logs(),
    });
    const late = await enqueueJob(fx.f.queues, terminalRequest('quorum.ping', 'term-late'));
    const exit = await w.proc.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await (await fx.f.queues.queue('c1').getJob(jobId))?.getState()).toBe('completed');
    expect(await (await fx.f.queues.queue('c1').getJob(late.jobId))?.getState()).toBe('waiting');
    expect((await snapshotFiles(snapshotDir)).filter((f) => f.endsWith('.db'))).toHaveLength(1);
    expect(w.proc.logs()).not.toMatch(/exiting/);
    await fx.f.queues.queue('c1').remove(late.jobId);
  }, 60_000);

  it('answers /healthz, /readyz and /metrics; readiness follows Redis, liveness does not', async () => {
    const own = await startRedis();
    const { directEnv } = await fx.setup('health', 1e9, {});
    const w = await fx.start({ ...directEnv, REDIS_URL: own.url });
    const ownClient = new Redis(own.url, { maxRetriesPerRequest: null });
    const ownQueues = new JobQueues({ connection: ownClient, clusters: ['c1'] });
    try {
      expect(await get(w.url('/healthz'))).toEqual({ status: 200, body: '{"status":"ok"}\n' });
      expect(await get(w.url('/readyz'))).toMatchObject({
        status: 200,
        body: expect.stringContaining('"redis":"ok"'),
      });
      const ping = await enqueueJob(ownQueues, terminalRequest('quorum.ping', 'health-1'));
      const snap = await enqueueJob(ownQueues, terminalRequest('etcd.snapshot', 'health-2'));
      await waitForJob(ownQueues.queue('c1'), ping.jobId, ['completed']);
      await waitForJob(ownQueues.queue('c1'), snap.jobId, ['completed']);
      const metrics = (await get(w.url('/metrics'))).body;
      expect(metrics).toMatch(/quorum_jobs_completed_total\{kind="quorum.ping",cluster="c1"\} 1/);
      expect(metrics).toMatch(
        /quorum_job_duration_seconds_count\{kind="quorum.ping",outcome="completed"\} 1/,
      );
      expect(metrics).toMatch(/quorum_queue_depth\{queue="jobs-c1",state="waiting"\} 0/);
      expect(metrics).toMatch(/quorum_queue_depth\{queue="slack-outbox",state="waiting"\} 0/);
      expect(metrics).toMatch(/quorum_snapshot_last_size_bytes\{cluster="c1"\} [1-9]/);
      expect(metrics).toMatch(
        /quorum_snapshot_last_success_timestamp_seconds\{cluster="c1"\} 1\d{9}/,
      );
      await ownQueues.close();
      ownClient.disconnect();
      await own.close();
      await expect
        .poll(async () => (await get(w.url('/readyz'))).status, { timeout: 10_000 })
        .toBe(503);
      expect((await get(w.url('/healthz'))).status).toBe(200);
      // Shutting down while Redis is away ends too (nothing can be handed back anyway);
      // Redis clients may take their 2 s disconnect timeout, after which the process exits.
      w.proc.child.kill('SIGTERM');
      expect(await w.proc.exited).toEqual({ code: 0, signal: null });
    } finally {
      ownClient.disconnect();
      await own.close();
    }
  }, 60_000);

  it('refuses an unknown cluster or a bad --concurrency with exit status 3', async () => {
    const unknown = await quorum(['worker', '--cluster', 'nope'], { REDIS_URL: fx.f.redis.url });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/No cluster named "nope"/);
    const bad = await quorum(['worker', '--concurrency', '0']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/--concurrency "0" is not a whole number from 1 to 100/);
  });
});
