/**
 * A worker process that dies or stops mid-job, against real Redis and a real etcd
 * whose snapshot stream is slowed by a proxy: after a SIGKILL mid-snapshot another
 * worker takes the job over after the stall interval, and one snapshot results;
 * SIGTERM past shutdownTimeout hands the job back to the queue for the next worker.
 */
import { describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import { waitFor } from '../support/index.js';
import { waitForJob } from './harness.js';
import { snapshotFiles, streaming, terminalRequest, workerFixture } from './worker-process.js';

const fx = workerFixture();

describe('quorum worker takeover (process)', () => {
  it('after a SIGKILL mid-snapshot, another worker takes the job over and one snapshot results', async () => {
    const { snapshotDir, env } = await fx.setup('kill', 1_000_000, { stalledInterval: '1s' });
    const a = await fx.start(env);
    const { jobId } = await enqueueJob(fx.f.queues, terminalRequest('etcd.snapshot', 'kill-1'));
    await waitFor(() => streaming(snapshotDir), {
      what: 'the snapshot to stream',
      timeoutMs: 20_000,
      context: () => a.proc.logs(),
    });
    await a.proc.kill();
    expect((await fx.f.queues.queue('c1').getJob(jobId))?.finishedOn).toBeUndefined();
    const b = await fx.start(env);
    const job = await waitForJob(fx.f.queues.queue('c1'), jobId, ['completed', 'failed'], 40_000);
    expect(job.failedReason).toBeUndefined();
    expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
    const left = await snapshotFiles(snapshotDir);
    expect(left.filter((f) => f.endsWith('.db'))).toHaveLength(1);
    expect(left.filter((f) => f.endsWith('.db.json'))).toHaveLength(1);
    expect(left.filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(b.proc.logs()).toMatch(/✔ etcd snapshot of c1/);
    await b.proc.stop();
  }, 60_000);

  it('on SIGTERM past shutdownTimeout hands the running job back; the next worker completes it', async () => {
    const { snapshotDir, env, directEnv } = await fx.setup('handback', 300_000, {
      shutdownTimeout: '500ms',
      stalledInterval: '1s',
    });
    const a = await fx.start(env);
    const { jobId } = await enqueueJob(fx.f.queues, terminalRequest('etcd.snapshot', 'handback-1'));
    await waitFor(() => streaming(snapshotDir), {
      what: 'the snapshot to stream',
      timeoutMs: 20_000,
      context: () => a.proc.logs(),
    });
    a.proc.child.kill('SIGTERM');
    const exit = await a.proc.exited;
    expect(exit.code).toBe(0);
    expect(a.proc.logs()).toMatch(/handed back to the queue/);
    const job = await fx.f.queues.queue('c1').getJob(jobId);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    const b = await fx.start(directEnv);
    await waitForJob(fx.f.queues.queue('c1'), jobId, ['completed'], 30_000);
    const left = await snapshotFiles(snapshotDir);
    expect(left.filter((f) => f.endsWith('.db'))).toHaveLength(1);
    expect(left.filter((f) => f.endsWith('.partial'))).toEqual([]);
    await b.proc.stop();
  }, 60_000);
});
