/**
 * Approval expiry as configured: `approvals.expiry` (QUORUM_APPROVAL_EXPIRY), 15 minutes
 * unless configured, a runbook action step's own `approvalExpiry` winning, judged by
 * the injected clock; and the expiry sweep ending an undecided request visibly, once.
 * Real Redis, the real outbox consumer, the local Slack API.
 */
import { webApi } from '@slack/bolt';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endExpiredApprovals } from '../../src/app/approvals/end-expired.js';
import { approvalTtlMs } from '../../src/app/approvals/expiry.js';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/domain/logger.js';
import { runbookSchema } from '../../src/domain/runbook.js';
import { approvalStore } from '../../src/state/approvals.js';
import { jobSink } from '../../src/transport/queue/enqueue.js';
import { handleIntent } from '../../src/transport/slack/intake.js';
import { startRedis, type RedisServer } from '../support/index.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { startTestRuntime, testConfig, uniquePrefix, type TestRuntime } from '../e2e/harness.js';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const CHANNEL = 'C0EXPIRY';
const cluster = { name: 'c1', etcd: { endpoints: ['http://127.0.0.1:1'] } };
const approvers = () => Promise.resolve(true);

describe('approvals.expiry in the config', () => {
  it('is 15 minutes unless configured, from the file, or from QUORUM_APPROVAL_EXPIRY', () => {
    expect(testConfig({ clusters: [cluster] }).approvals.expiry).toBe(15 * 60_000);
    const file = { clusters: [cluster], approvals: { expiry: '5m' } };
    expect(testConfig(file).approvals.expiry).toBe(5 * 60_000);
    expect(testConfig(file, { QUORUM_APPROVAL_EXPIRY: '2h' }).approvals.expiry).toBe(7_200_000);
    expect(() => testConfig(file, { QUORUM_APPROVAL_EXPIRY: 'soon' })).toThrow(
      /QUORUM_APPROVAL_EXPIRY: "soon" is not a duration/,
    );
    expect(() => testConfig({ clusters: [cluster], approvals: { expiry: 0 } })).toThrow(
      /approvals\.expiry: "0" is not a duration/,
    );
  });

  it('a runbook action step may set its own, which wins', () => {
    const runbook = runbookSchema.parse({
      id: 'slow-approval',
      title: 'Defrag, with time to decide',
      steps: [
        { id: 'look', phase: 'assess', title: 'Look', kind: 'diagnose', job: 'etcd.check' },
        {
          id: 'defrag',
          phase: 'recover',
          title: 'Defrag',
          kind: 'action',
          job: 'etcd.defrag',
          approvalExpiry: '45m',
        },
        { id: 'again', phase: 'recover', title: 'Again', kind: 'action', job: 'etcd.defrag' },
      ],
    });
    const config = testConfig({ clusters: [cluster], approvals: { expiry: '10m' } });
    const [look, defrag, again] = runbook.steps;
    expect(approvalTtlMs(config, defrag)).toBe(45 * 60_000);
    expect(approvalTtlMs(config, again)).toBe(10 * 60_000);
    expect(approvalTtlMs(config, look)).toBe(10 * 60_000);
    expect(approvalTtlMs(config)).toBe(10 * 60_000);
    const bad = (step: Record<string, unknown>) =>
      runbookSchema.safeParse({ id: 'x', title: 'x', steps: [step] }).success;
    const base = { id: 's', phase: 'recover', title: 'S', job: 'etcd.defrag' };
    expect(bad({ ...base, kind: 'action', approvalExpiry: 'later' })).toBe(false);
    expect(bad({ ...base, kind: 'diagnose', job: 'etcd.check', approvalExpiry: '5m' })).toBe(false);
  });
});

describe('expiry in Redis, by the injected clock', () => {
  let redis: RedisServer;
  let slack: SlackApi;
  let client: Redis;
  let rt: TestRuntime;
  let config: Config;
  let clock: number;
  const prefix = uniquePrefix('expiry');

  beforeAll(async () => {
    [redis, slack] = await Promise.all([startRedis(), startSlackApi()]);
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    config = testConfig(
      { clusters: [cluster], approvals: { expiry: '5m' } },
      {
        REDIS_URL: redis.url,
        SLACK_API_URL: slack.url,
        SLACK_BOT_TOKEN: 'xoxb-test',
        QUORUM_APPROVERS: 'U0BOB',
      },
    );
    rt = await startTestRuntime(config, { prefix, sweep: false });
  });
  afterAll(async () => {
    await rt?.close();
    client?.disconnect();
    await Promise.all([redis?.close(), slack?.close()]);
  });

  const store = () => approvalStore({ redis: client, prefix, now: () => clock });

  it('/etcd-defrag asks with the configured expiry', async () => {
    clock = T0;
    const approvals = store();
    const told: string[] = [];
    await handleIntent(
      { config, queues: rt.runtime.queues, approvals, redis: client, prefix, logger: silentLogger },
      {
        intent: { action: 'etcd.defrag', cluster: 'c1' },
        userId: 'U0ALICE',
        channel: CHANNEL,
        requestId: 'trigger-expiry-1',
        client: new webApi.WebClient('xoxb-test', { slackApiUrl: slack.url }),
        tell: (t) => Promise.resolve(void told.push(t)),
      },
    );
    expect(told).toEqual([]);
    const posted = slack.messages(CHANNEL).find((m) => /Approval needed/.test(m.text))!;
    const id = /"value":"([^"]+)"/.exec(JSON.stringify(posted.blocks))![1]!;
    const approval = await approvals.getApproval(id);
    expect(approval).toMatchObject({ createdAt: T0, expiresAt: T0 + 5 * 60_000 });
    clock = T0 + 5 * 60_000;
    const decision = { decision: 'approve' as const, by: 'U0BOB', approvers };
    expect((await approvals.decideApproval(id, decision)).outcome).toBe('expired');
  });

  it('a step override is kept, and the sweep ends the request visibly once it is past', async () => {
    clock = T0;
    // A prefix of its own: the request of the test above is past its deadline too.
    const approvals = approvalStore({
      redis: client,
      prefix: uniquePrefix('expiry'),
      now: () => clock,
    });
    const step = runbookSchema.shape.steps.element.parse({
      id: 'defrag',
      phase: 'recover',
      title: 'Defrag',
      kind: 'action',
      job: 'etcd.defrag',
      approvalExpiry: '45m',
    });
    const posted = await rt.deps.slack!.chat.postMessage({ channel: CHANNEL, text: 'ask' });
    const a = await approvals.createApproval({
      id: 'rb-slow',
      cluster: 'c1',
      action: 'etcd.defrag',
      params: {},
      requestedBy: 'U0ALICE',
      channel: CHANNEL,
      messageTs: String(posted.ts),
      ttlMs: approvalTtlMs(config, step),
    });
    expect(a.expiresAt).toBe(T0 + 45 * 60_000);
    const deps = {
      approvals,
      jobs: jobSink(rt.runtime.queues),
      outbox: rt.runtime.outbox,
      redis: client,
      prefix,
      logger: silentLogger,
    };
    clock = T0 + 44 * 60_000; // past the config's 5 minutes, within the step's 45
    expect(await endExpiredApprovals(deps)).toBe(0);
    clock = T0 + 45 * 60_000;
    expect(await endExpiredApprovals(deps)).toBe(1);
    expect(await endExpiredApprovals(deps)).toBe(0);
    await expect
      .poll(() => slack.messages(CHANNEL).find((m) => m.ts === a.messageTs)?.text, {
        timeout: 10_000,
      })
      .toMatch(/^Expired/);
    const decision = { decision: 'approve' as const, by: 'U0BOB', approvers };
    expect((await approvals.decideApproval(a.id, decision)).outcome).toBe('expired');
  });
});
