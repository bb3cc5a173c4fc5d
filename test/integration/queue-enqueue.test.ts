/**
 * Enqueueing against real Redis: a request id enqueues once however often it is
 * delivered; bad requests are refused with JOB_INVALID before they reach a queue;
 * a job that reaches a worker with a bad payload fails at once, without retries,
 * and says why in its thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isQuorumError } from '../../src/domain/errors.js';
import { enqueueJob, type JobRequest } from '../../src/transport/queue/enqueue.js';
import { startTestServers, type TestServers } from '../support/test-servers.js';
import {
  startTestRuntime,
  testConfig,
  uniquePrefix,
  waitForJob,
  type TestRuntime,
} from '../e2e/harness.js';

let servers: TestServers;
let rt: TestRuntime;

beforeAll(async () => {
  servers = await startTestServers({ slack: true });
  const config = testConfig(
    { clusters: [{ name: 'c1', etcd: { endpoints: ['http://127.0.0.1:9'] } }] },
    servers.env,
  );
  rt = await startTestRuntime(config, { prefix: uniquePrefix('enqueue'), clusters: ['c1'] });
});

afterAll(async () => {
  await rt?.close();
  await servers?.close();
});

const ping = (requestId: string): JobRequest => ({
  kind: 'quorum.ping',
  cluster: 'c1',
  requestId,
  requestedBy: 'U024BE7LH',
  target: { kind: 'slack', channel: 'C0ENQ', threadTs: '1700000000.000100' },
});

describe('enqueueJob', () => {
  it('adds a request once, however often and however concurrently it is delivered', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => enqueueJob(rt.runtime.queues, ping('trigger.4711.abc'))),
    );
    expect(new Set(results.map((r) => r.jobId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const jobId = results[0]!.jobId;
    expect(jobId).toBe('quorum.ping@trigger.4711.abc');
    const queue = rt.runtime.queues.queue('c1');
    await waitForJob(queue, jobId, ['completed']);
    const again = await enqueueJob(rt.runtime.queues, ping('trigger.4711.abc'));
    expect(again).toEqual({ jobId, created: false });
    // One result in the thread: the ping ran once.
    await expect
      .poll(() => servers.slack.calls('chat.postMessage').length, { timeout: 10_000 })
      .toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(servers.slack.calls('chat.postMessage')).toHaveLength(1);
    expect(servers.slack.messages('C0ENQ')[0]).toMatchObject({ threadTs: '1700000000.000100' });
  });

  it('turns characters BullMQ refuses into a usable id', async () => {
    const r = await enqueueJob(rt.runtime.queues, ping('action:1700000000.123:U1'));
    expect(r).toMatchObject({ jobId: 'quorum.ping@action_1700000000.123_U1', created: true });
  });

  it.each([
    [{ kind: 'etcd.nope' }, /Unknown job kind "etcd.nope"/],
    [{ kind: 'etcd.check', params: { timeoutMs: 'soon' } }, /params.timeoutMs/],
    [{ kind: 'etcd.defrag' }, /needs an approval/],
    [{ cluster: 'prod' }, /No cluster named "prod"/],
  ])('refuses %j before it reaches a queue', async (change, message) => {
    const err: unknown = await enqueueJob(rt.runtime.queues, { ...ping('bad'), ...change }).catch(
      (e: unknown) => e,
    );
    expect(isQuorumError(err)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('fails a job with a bad payload at once, without retrying, and says why in its thread', async () => {
    const queue = rt.runtime.queues.queue('c1');
    await queue.add(
      'etcd.check',
      {
        cluster: 'c1',
        params: { timeoutMs: -5 },
        requestId: 'raw',
        requestedBy: 'U1',
        target: { kind: 'slack', channel: 'C0BAD', threadTs: '1700000000.000200' },
        enqueuedAt: new Date().toISOString(),
      },
      { jobId: 'raw-bad', attempts: 5, backoff: { type: 'fixed', delay: 100 } },
    );
    const job = await waitForJob(queue, 'raw-bad', ['failed']);
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/params.timeoutMs/);
    await expect
      .poll(() => servers.slack.messages('C0BAD').map((m) => m.text), { timeout: 10_000 })
      .toEqual([expect.stringMatching(/:x: .*params.timeoutMs/)]);
  });
});
