/**
 * Invariant 1: an approval decision and its job are one step. Real Redis, real BullMQ
 * (a worker runs the jobs against a real single-member etcd), the local Slack API.
 * Faults are injected after the decision — the Slack edit of the request refused, the
 * audit XADD failing once (a connection wrapper), the process "dying" right after the
 * decide script — and the job still exists exactly once and runs once.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../src/app/approvals/decide.js';
import {
  completeApprovalIntents,
  INTENT_GRACE_MS,
} from '../../src/app/approvals/complete-intents.js';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/domain/logger.js';
import { approvalStore, type Approval, type ApprovalStore } from '../../src/state/approvals.js';
import { readAudit } from '../../src/state/audit.js';
import { jobSink } from '../../src/transport/queue/enqueue.js';
import { jobIdFor } from '../../src/transport/queue/names.js';
import { Outbox } from '../../src/transport/queue/outbox.js';
import { JobQueues } from '../../src/transport/queue/queues.js';
import { handleApprovalClick } from '../../src/transport/slack/approval-actions.js';
import { tmpDir } from '../support/index.js';
import { startTestServers, type TestServers } from '../support/test-servers.js';
import {
  startTestRuntime,
  testConfig,
  uniquePrefix,
  waitForJob,
  type TestRuntime,
} from '../e2e/harness.js';

const CHANNEL = 'C0APPROVE';
const REQUESTER = 'U0ASKER';
const T0 = Date.parse('2026-11-26T10:00:00Z');
const prefix = uniquePrefix('approve-once');
const isApprover = (id: string) => Promise.resolve(id !== REQUESTER && id !== 'U0STRANGER');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;

let servers: TestServers;
let rt: TestRuntime;
let config: Config;

beforeAll(async () => {
  servers = await startTestServers({ etcdMembers: 1, slack: true });
  config = testConfig(
    {
      clusters: [
        {
          name: 'c1',
          etcd: { endpoints: servers.etcd.endpoints },
          snapshotDir: await tmpDir('ap1'),
        },
      ],
    },
    servers.env,
  );
  rt = await startTestRuntime(config, {
    prefix,
    clusters: ['c1'],
    sweep: { intervalMs: 200, intentGraceMs: 500 },
  });
});

afterAll(async () => {
  await rt?.close();
  await servers?.close();
});

/** The same connection, but the next call of a named command fails (once per failNext). */
function withFaults(redis: Redis) {
  const armed: string[] = [];
  const fired: string[] = [];
  const wrapped = new Proxy(redis, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const i = typeof prop === 'string' ? armed.indexOf(prop) : -1;
      if (i === -1) return (value as (...a: unknown[]) => unknown).bind(target);
      return () => {
        armed.splice(i, 1);
        fired.push(prop as string);
        return Promise.reject(new Error(`injected: ${String(prop)} failed`));
      };
    },
  });
  return { redis: wrapped, fired, failNext: (command: string) => void armed.push(command) };
}

/** What the bot hands the click adapter, over `r` (maybe a faulty wrapper) and `p`. */
function clickDeps(r: Redis, p = prefix, queues = rt.runtime.queues, outbox = rt.runtime.outbox) {
  const approvals = approvalStore({ redis: r, prefix: p });
  return {
    config,
    queues,
    approvals,
    isApprover,
    redis: r,
    prefix: p,
    logger: silentLogger,
    outbox,
  };
}

/** A defrag request, posted directly (as /etcd-defrag posts it). */
async function request(store: ApprovalStore, id: string, cluster = 'c1'): Promise<Approval> {
  const posted = await rt.deps.slack!.chat.postMessage({ channel: CHANNEL, text: `request ${id}` });
  return store.createApproval({
    id,
    cluster,
    action: 'etcd.defrag',
    params: {},
    requestedBy: REQUESTER,
    channel: CHANNEL,
    messageTs: String(posted.ts),
  });
}

/** One click, answered as register.ts answers it (a throw becomes an error text). */
async function click(deps: ReturnType<typeof clickDeps>, a: Approval, userId: string) {
  const told: string[] = [];
  const tell = (text: string) => Promise.resolve(void told.push(text));
  const event = { approvalId: a.id, messageTs: a.messageTs, decision: 'approve' as const, userId };
  // `client` is what the click carried before edits went through the outbox.
  const withClient = { ...event, client: rt.deps.slack, tell };
  await handleApprovalClick(deps, withClient).catch((err: Error) =>
    told.push(`error: ${err.message}`),
  );
  return told;
}

const jobId = (approvalId: string) => jobIdFor('etcd.defrag', `approval-${approvalId}`);
const defragJobs = async (approvalId: string, queues = rt.runtime.queues) =>
  (await queues.queue('c1').getJobs([...STATES])).filter(
    (j) => j.name === 'etcd.defrag' && j.data.approval?.id === approvalId,
  );
const audit = async (type: string, p = prefix) =>
  (await readAudit(servers.client, p)).filter((e) => e.type === type);

describe('an approval and its job, exactly once', () => {
  it('queues and runs the job once although the Slack edit and the audit write fail after the decision', async () => {
    const faults = withFaults(servers.client);
    const deps = clickDeps(faults.redis);
    const a = await request(deps.approvals, 'inv-1');
    servers.slack.respond('chat.update', (body) =>
      body.ts === a.messageTs ? { ok: false, error: 'cant_update_message' } : undefined,
    );
    faults.failNext('xadd');
    const told = await click(deps, a, 'U0APPROVER1');
    const job = await waitForJob(
      rt.runtime.queues.queue('c1'),
      jobId(a.id),
      ['completed', 'failed'],
      20_000,
    );
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBe(1);
    expect(faults.fired).toEqual(['xadd']);
    // The edit went out through the outbox and Slack refused it.
    await expect
      .poll(
        () => servers.slack.calls('chat.update').filter((c) => c.body.ts === a.messageTs).length,
      )
      .toBeGreaterThan(0);
    expect(servers.slack.messages(CHANNEL).find((m) => m.ts === a.messageTs)?.text).toBe(
      'request inv-1',
    );
    await sleep(1_500); // seven sweeps meanwhile: none adds a job
    expect(await defragJobs(a.id)).toHaveLength(1);
    const ran = (await audit('job.finished')).filter((e) => e.detail === 'approved by U0APPROVER1');
    expect(ran).toHaveLength(1);
    expect(told).toEqual([]);
  });

  it('a crash between the decision and the enqueue is completed by the sweep', async () => {
    const store = approvalStore({ redis: servers.client, prefix });
    const a = await request(store, 'crash-1');
    // The decide script alone ran; the process died before enqueueing.
    const decided = await store.decideApproval(a.id, {
      decision: 'approve',
      by: 'U0APPROVER2',
      approvers: isApprover,
    });
    expect(decided.outcome).toBe('approved');
    const job = await waitForJob(rt.runtime.queues.queue('c1'), jobId(a.id), ['completed'], 20_000);
    expect(job.attemptsMade).toBe(1);
    expect((await store.getApproval(a.id))?.intent).toBe('done');
    await expect
      .poll(() => servers.slack.messages(CHANNEL).find((m) => m.ts === a.messageTs)?.text, {
        timeout: 10_000,
      })
      .toMatch(/^Approved/);
    await sleep(1_000);
    expect(await defragJobs(a.id)).toHaveLength(1);
    const entries = (await audit('approval.decided')).filter((e) => e.params?.approval === a.id);
    expect(entries.map((e) => [e.who, e.outcome])).toEqual([['U0APPROVER2', 'approved']]);
  });

  it('20 concurrent approve clicks make one decision and one job, run once', async () => {
    const clients = Array.from(
      { length: 4 },
      () => new Redis(servers.redis.url, { maxRetriesPerRequest: null }),
    );
    try {
      const a = await request(approvalStore({ redis: servers.client, prefix }), 'many-1');
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => click(clickDeps(clients[i % 4]!), a, `U0CLICK${i}`)),
      );
      const job = await waitForJob(
        rt.runtime.queues.queue('c1'),
        jobId(a.id),
        ['completed'],
        20_000,
      );
      expect(job.attemptsMade).toBe(1);
      await sleep(1_000);
      expect(await defragJobs(a.id)).toHaveLength(1);
      expect(
        (await audit('approval.decided')).filter((e) => e.params?.approval === a.id),
      ).toHaveLength(1);
      const texts = answers.flat();
      expect(texts.length).toBeGreaterThanOrEqual(19);
      for (const t of texts) expect(t).toMatch(/already approved by <@U0CLICK\d+>/);
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('a job that can never be queued ends the request visibly instead of being retried forever', async () => {
    const deps = clickDeps(servers.client);
    const a = await request(deps.approvals, 'gone-1', 'retired');
    const told = await click(deps, a, 'U0APPROVER5');
    expect(told.join('\n')).toMatch(/could not be queued/);
    expect((await deps.approvals.getApproval(a.id))?.intent).toBe('failed');
    expect(await deps.approvals.pendingIntents(Date.now() + 60_000)).not.toContain(a.id);
    await expect
      .poll(
        () =>
          JSON.stringify(servers.slack.messages(CHANNEL).find((m) => m.ts === a.messageTs)?.blocks),
        {
          timeout: 10_000,
        },
      )
      .toMatch(/could not be queued: No cluster named/);
  });
});

describe('pending intents, without a worker or a sweeper', () => {
  const p = uniquePrefix('approve-intent');
  let queues: JobQueues;
  let outbox: Outbox;
  beforeAll(() => {
    queues = new JobQueues({ connection: servers.client, clusters: ['c1'], prefix: p });
    outbox = new Outbox(servers.client, p);
  });
  afterAll(async () => {
    await queues?.close();
    await outbox?.close();
  });

  it('the sweep completes intents older than the grace period, by the injected clock, once', async () => {
    let clock = T0;
    const store = approvalStore({ redis: servers.client, prefix: p, now: () => clock });
    const deps = {
      approvals: store,
      jobs: jobSink(queues),
      outbox,
      redis: servers.client,
      prefix: p,
    };
    const sweepDeps = { ...deps, logger: silentLogger, now: () => clock };
    const a = await request(store, 'sweep-1');
    await store.decideApproval(a.id, {
      decision: 'approve',
      by: 'U0APPROVER6',
      approvers: isApprover,
    });
    clock += INTENT_GRACE_MS - 1;
    expect(await completeApprovalIntents(sweepDeps)).toBe(0);
    expect(await defragJobs(a.id, queues)).toHaveLength(0);
    clock += 1;
    expect(await completeApprovalIntents(sweepDeps)).toBe(1);
    expect(await completeApprovalIntents(sweepDeps)).toBe(0);
    const jobs = await defragJobs(a.id, queues);
    expect(jobs.map((j) => j.id)).toEqual([jobId(a.id)]);
    expect(jobs[0]!.data.approval).toEqual({ id: a.id, approvedBy: 'U0APPROVER6' });
    expect(jobs[0]!.data.target).toMatchObject({ channel: CHANNEL, threadTs: a.messageTs });
  });

  it('a second click on an approved request whose job was never queued queues it', async () => {
    const deps = clickDeps(servers.client, p, queues, outbox);
    const a = await request(deps.approvals, 'second-1');
    await deps.approvals.decideApproval(a.id, {
      decision: 'approve',
      by: 'U0APPROVER7',
      approvers: isApprover,
    });
    const told = await click(deps, a, 'U0APPROVER8');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(
      /already approved by <@U0APPROVER7>; its job had not been queued yet, and now is/,
    );
    expect(told[0]).not.toMatch(/Nothing was changed/);
    expect((await defragJobs(a.id, queues)).map((j) => j.id)).toEqual([jobId(a.id)]);
    expect((await deps.approvals.getApproval(a.id))?.intent).toBe('done');
    const again = await click(deps, a, 'U0APPROVER9');
    expect(again).toEqual([
      'This request was already approved by <@U0APPROVER7>. Nothing was changed.',
    ]);
    expect(await defragJobs(a.id, queues)).toHaveLength(1);
  });

  it('queues the job although the runbook engine fails, and tells it of the decision', async () => {
    const store = approvalStore({ redis: servers.client, prefix: p });
    const a = await store.createApproval({
      id: 'rb-1',
      cluster: 'c1',
      action: 'etcd.defrag',
      params: {},
      requestedBy: REQUESTER,
      channel: CHANNEL,
      threadRef: 'rb-run-1-list',
      runbook: { run: 'run-1', step: 'defrag' },
    });
    const calls: string[] = [];
    const runbooks = {
      decided: (_link: unknown, decision: string) => {
        calls.push(decision);
        return Promise.reject(new Error('engine down'));
      },
      jobEnded: () => Promise.resolve(),
    };
    const deps = { approvals: store, isApprover, jobs: jobSink(queues), outbox, runbooks };
    const answer = await decide(
      { ...deps, redis: servers.client, prefix: p, logger: silentLogger },
      {
        approvalId: a.id,
        messageTs: '1700000000.000200',
        decision: 'approve',
        userId: 'U0APPROVER6',
      },
    );
    expect(answer).toBeUndefined();
    expect(calls).toEqual(['approved']);
    const jobs = await defragJobs(a.id, queues);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data.runbook).toEqual({ run: 'run-1', step: 'defrag' });
    expect(jobs[0]!.data.target).toMatchObject({ threadRef: 'rb-run-1-list' });
    // The request was posted through the outbox: the click taught the record its ts.
    expect((await store.getApproval(a.id))?.messageTs).toBe('1700000000.000200');
    expect((await audit('approval.decided', p)).map((e) => e.params?.approval)).toContain(a.id);
  });
});
