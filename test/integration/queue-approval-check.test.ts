/**
 * The worker's own check of approvals: a destructive job runs only when the approval
 * store holds its approval as approved, for that action on that cluster. A job written
 * into the queue with an invented, pending or mismatched approval fails at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalStore } from '../../src/state/approvals.js';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import { startTestServers, type TestServers } from '../support/test-servers.js';
import {
  startTestRuntime,
  testConfig,
  uniquePrefix,
  waitForJob,
  type TestRuntime,
} from '../e2e/harness.js';

let servers: TestServers;
let worker: TestRuntime;
const prefix = uniquePrefix('approval-check');

beforeAll(async () => {
  servers = await startTestServers({ etcdMembers: 1 });
  const config = testConfig(
    {
      clusters: [
        { name: 'c1', etcd: { endpoints: servers.etcd.endpoints } },
        { name: 'c2', etcd: { endpoints: servers.etcd.endpoints } },
      ],
    },
    servers.env,
  );
  worker = await startTestRuntime(config, { prefix, clusters: ['c1'], concurrency: 1 });
});

afterAll(async () => {
  await worker?.close();
  await servers?.close();
});

const base = {
  cluster: 'c1',
  kind: 'etcd.compact',
  requestedBy: 'U1',
  target: { kind: 'terminal' as const },
};

describe('approvals checked by the worker', () => {
  it('refuses invented, pending and mismatched approvals; runs an approved one', async () => {
    const approvals = approvalStore({ redis: servers.client, prefix });
    await approvals.createApproval({
      id: 'pending',
      cluster: 'c1',
      action: 'etcd.compact',
      params: {},
      requestedBy: 'U1',
      channel: 'C1',
    });
    await approvals.createApproval({
      id: 'other',
      cluster: 'c2',
      action: 'etcd.compact',
      params: {},
      requestedBy: 'U1',
      channel: 'C1',
    });
    await approvals.createApproval({
      id: 'good',
      cluster: 'c1',
      action: 'etcd.compact',
      params: {},
      requestedBy: 'U1',
      channel: 'C1',
    });
    for (const id of ['other', 'good']) {
      await approvals.decideApproval(id, {
        decision: 'approve',
        by: 'U2',
        approvers: () => Promise.resolve(true),
      });
      await approvals.endIntent(id, 'done'); // its job is enqueued by hand, not by the sweep
    }
    const queue = worker.runtime.queues.queue('c1');
    const run = async (requestId: string, id: string) => {
      const { jobId } = await enqueueJob(worker.runtime.queues, {
        ...base,
        requestId,
        approval: { id, approvedBy: 'U2' },
      });
      return waitForJob(queue, jobId, ['completed', 'failed'], 30_000);
    };
    const invented = await run('r1', 'nobody-made-this');
    expect(invented.failedReason).toMatch(/approval nobody-made-this is unknown/);
    expect(invented.attemptsMade).toBe(1);
    expect((await run('r2', 'pending')).failedReason).toMatch(/is pending, not approved/);
    expect((await run('r3', 'other')).failedReason).toMatch(
      /for etcd.compact on c2, not etcd.compact on c1/,
    );
    const good = await run('r4', 'good');
    expect(good.failedReason).toBeUndefined();
    expect(good.returnvalue).toMatchObject({ kind: 'etcd.compact', cluster: 'c1' });
  }, 60_000);
});
