/**
 * The worker acts once (issue 15, invariants 2 and 5), through the real processor, BullMQ,
 * Redis, etcd and the outbox to the local Slack API, with faults put between the steps:
 * - the outbox refuses the result once after a defrag: BullMQ retries the job, and the
 *   retry reports the recorded result — the defrag ran once, its report reached the thread once;
 * - the audit stream cannot be written: the defrag does not start, and the thread says why;
 * - one approval carried by two jobs changes the cluster once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import type { OutboxMessage, OutboxWriter } from '../../src/domain/outbox-message.js';
import { readAudit } from '../../src/state/audit.js';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import { approvedApproval } from '../support/approved.js';
import { startTestServers, type TestServers } from '../support/test-servers.js';
import { startWorkerRig, testConfig, waitForJob, type WorkerRig } from '../e2e/harness.js';

let servers: TestServers;
let config: Config;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  servers = await startTestServers({ etcdMembers: 1, slack: true });
  config = testConfig(
    {
      clusters: [{ name: 'c1', etcd: { endpoints: servers.etcd.endpoints } }],
      check: { timeout: '2s' },
    },
    servers.env,
  );
});

afterEach(async () => {
  for (const part of open.splice(0).reverse()) await part.close();
});

afterAll(async () => {
  await servers?.close();
});

/** The outbox consumer (in a runtime without workers) and one hand-built worker on a fresh prefix. */
async function rig(what: string, outbox?: (real: OutboxWriter) => OutboxWriter) {
  const r = await startWorkerRig(config, what);
  open.push(r);
  r.startWorker(outbox ? { outbox: outbox(r.rt.runtime.outbox) } : {});
  return r;
}

const approved = (prefix: string, id: string, action: string) =>
  approvedApproval(servers.client, prefix, id, action);

/** A defrag of c1 reporting to a fresh root message in `channel`. */
async function defrag(
  r: WorkerRig,
  channel: string,
  requestId: string,
  approval: { id: string; approvedBy: string },
) {
  const root = await r.rt.deps.slack!.chat.postMessage({ channel, text: 'etcd defrag…' });
  const ts = String(root.ts);
  const { jobId } = await enqueueJob(r.rt.runtime.queues, {
    kind: 'etcd.defrag',
    cluster: 'c1',
    requestId,
    requestedBy: 'U1',
    target: { kind: 'slack', channel, threadTs: ts, rootTs: ts },
    approval,
  });
  return { jobId, ts };
}

const auditOf = async (prefix: string, jobId: string) =>
  (await readAudit(servers.client, prefix))
    .filter((e) => e.params?.job === jobId)
    .map((e) => e.type);

describe('the worker acts once', () => {
  it('re-reports a recorded result when reporting failed, instead of defragmenting again', async () => {
    let refused = 0;
    const r = await rig('once-report', (real) => ({
      push: async (m: OutboxMessage) => {
        // The fault: the result's push fails once, after the defrag succeeded.
        if (m.id.endsWith('.result') && refused === 0) {
          refused += 1;
          throw new Error('outbox write failed (test)');
        }
        return real.push(m);
      },
    }));
    const { jobId, ts } = await defrag(
      r,
      'C0ONCE',
      'once-1',
      await approved(r.prefix, `${r.prefix}-d`, 'etcd.defrag'),
    );
    const queue = r.rt.runtime.queues.queue('c1');
    // The first attempt fails on the outbox; BullMQ keeps the job for its retry (1 min): promote it.
    const waiting = await waitForJob(queue, jobId, ['delayed', 'completed', 'failed']);
    expect(refused).toBe(1);
    if ((await waiting.getState()) === 'delayed') await waiting.promote();
    const job = await waitForJob(queue, jobId, ['completed', 'failed']);
    // One member, one defragmentation: the retry did not act again.
    expect(r.etcd.count('defragment')).toBe(1);
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBe(2);
    expect(await auditOf(r.prefix, jobId)).toEqual(['job.started', 'job.finished']);
    await expect
      .poll(() => servers.slack.messages('C0ONCE').map((m) => m.text), { timeout: 10_000 })
      .toEqual([
        expect.stringMatching(/^etcd defrag of \*c1\*, asked by U1 — ✔ done$/),
        expect.stringMatching(/^etcd defrag of c1: /),
      ]);
    expect(servers.slack.messages('C0ONCE')[1]!.threadTs).toBe(ts);
    expect(
      servers.slack.calls('chat.postMessage').filter((c) => c.body.thread_ts === ts),
    ).toHaveLength(1);
  }, 60_000);

  it('does not defragment when the audit log cannot be written, and says why in the thread', async () => {
    const r = await rig('once-audit');
    // The fault: the audit stream's key holds a string, so XADD fails (WRONGTYPE).
    await servers.client.set(`${r.prefix}:audit`, 'not a stream');
    const approval = await approved(r.prefix, `${r.prefix}-d`, 'etcd.defrag');
    const { jobId, ts } = await defrag(r, 'C0AUDIT', 'audit-1', approval);
    const job = await waitForJob(r.rt.runtime.queues.queue('c1'), jobId, ['completed', 'failed']);
    expect(r.etcd.count('defragment')).toBe(0);
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(
      /audit log could not be written .*WRONGTYPE.*nothing was changed/,
    );
    // Not taken either: the approval was not used up by a job that did nothing.
    expect(await servers.client.hget(`${r.prefix}:approval:${approval.id}`, 'usedBy')).toBeNull();
    await expect
      .poll(() => servers.slack.messages('C0AUDIT').map((m) => m.text), { timeout: 10_000 })
      .toEqual([
        expect.stringMatching(/— ✖ failed$/),
        expect.stringMatching(
          new RegExp(
            `^:x: etcd defrag of c1 failed: the audit log could not be written .*nothing was changed\\. ` +
              `Make Redis accept writes to the audit stream ${r.prefix}:audit`,
          ),
        ),
      ]);
    expect(servers.slack.messages('C0AUDIT')[1]!.threadTs).toBe(ts);
  }, 60_000);

  it('lets one approval change the cluster once, however many jobs carry it', async () => {
    const r = await rig('once-approval');
    const approval = await approved(r.prefix, `${r.prefix}-d`, 'etcd.defrag');
    const queue = r.rt.runtime.queues.queue('c1');
    const first = await defrag(r, 'C0USE1', 'use-1', approval);
    expect(await (await waitForJob(queue, first.jobId, ['completed', 'failed'])).getState()).toBe(
      'completed',
    );
    const second = await defrag(r, 'C0USE2', 'use-2', approval);
    const job = await waitForJob(queue, second.jobId, ['completed', 'failed']);
    expect(r.etcd.count('defragment')).toBe(1);
    expect(job.failedReason).toMatch(
      new RegExp(
        `approval ${approval.id} was used by ${first.jobId.replace(/[.]/g, '\\.')} already`,
      ),
    );
  }, 60_000);
});
