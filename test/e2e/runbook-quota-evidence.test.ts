/**
 * Issue 17's "the quota runbook on a healthy cluster asks for no approval and says what
 * it skipped": an etcdDatabaseQuotaLowSpace notification on a real, healthy etcd runs
 * the detect steps, skips compact, defrag and disarm with the reason and a Run anyway
 * button, and asks nobody anything; Run anyway then asks for an ordinary approval in
 * the thread, and a second person's approval runs the job against the real etcd.
 * Real webhook, Redis, etcd, worker; the Slack Web API test server.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/state/audit.js';
import { alertPayload, sendAlert } from '../support/alertmanager.js';
import { cleanEnv } from '../support/cli.js';
import {
  freePort,
  startEtcd,
  startRedis,
  tmpDir,
  waitFor,
  type EtcdCluster,
  type RedisServer,
} from '../support/index.js';
import { startQuorumBot, type QuorumBot } from '../support/quorum-bot.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { blockActionBody, postSigned } from '../support/slack-request.js';

const SECRET = 'quota-evidence-signing-secret';
const TOKEN = 'alertmanager-bearer-token-quota-evidence';
const CHANNEL = 'C0QUOTA';

let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let quorum: QuorumBot;
let reader: Redis;

beforeAll(async () => {
  [etcd, redis, slack] = await Promise.all([startEtcd(), startRedis(), startSlackApi()]);
  const env = cleanEnv({
    ...etcd.env,
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: await tmpDir('quorum-quota-evidence-'),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-quota',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    QUORUM_APPROVERS: 'U0BOB,U0ALICE',
    QUORUM_ALERT_CHANNEL: CHANNEL,
    QUORUM_ALERT_TOKEN: TOKEN,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
  });
  quorum = await startQuorumBot(env, { clusters: ['prod'], outboxIntervalMs: 30 });
  reader = new Redis(redis.url, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  reader?.disconnect();
  await quorum?.close();
  await Promise.all([slack?.close(), redis?.close(), etcd?.close()]);
});

const thread = (ts: string) => slack.messages(CHANNEL).filter((m) => m.threadTs === ts);
const text = (ts: string) =>
  thread(ts)
    .map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`)
    .join('\n');
const withAction = (ts: string, actionId: string) =>
  thread(ts).filter((m) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${actionId}"`));
const valueOf = (m: { blocks?: unknown }, actionId: string): string => {
  const blocks = (m.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[];
  const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
  return button?.value ?? '';
};
const approvalKeys = async () =>
  (await reader.keys('*:approval:*')).filter((k) => !/:approvals:/.test(k));
const click = async (actionId: string, value: string, user: string, messageTs: string) => {
  const body = blockActionBody({
    actionId,
    value,
    userId: user,
    messageTs,
    channel: CHANNEL,
    responseUrl: `${slack.url}response`,
  });
  expect((await postSigned(quorum.base, body, SECRET)).status).toBe(200);
};

describe('the NOSPACE runbook on a healthy cluster', () => {
  it('asks for no approval, says what it skipped, and Run anyway goes through the normal approval', async () => {
    const alert = {
      alertname: 'etcdDatabaseQuotaLowSpace',
      labels: { cluster: 'prod', job: 'etcd' },
      annotations: { summary: 'etcd cluster "etcd": database size exceeds the defined quota' },
    };
    expect((await sendAlert(quorum.base, alertPayload('quota', [alert]), TOKEN)).status).toBe(202);
    await waitFor(
      () =>
        Promise.resolve(
          slack
            .messages(CHANNEL)
            .some((m) => !m.threadTs && /etcdDatabaseQuotaLowSpace/.test(m.text)),
        ),
      { what: 'the incident root' },
    );
    const root = slack
      .messages(CHANNEL)
      .find((m) => !m.threadTs && /etcdDatabaseQuotaLowSpace/.test(m.text))!;

    // The recheck after the skipped actions ran; the manual post-mortem step waits.
    await waitFor(() => Promise.resolve(/"action_id":"runbook\.done"/.test(text(root.ts))), {
      what: 'the run to reach its manual step',
      timeoutMs: 60_000,
      context: () => text(root.ts),
    });
    const all = text(root.ts);
    // The real etcd's own numbers: a few KiB of a 2 GiB quota.
    expect(all).toMatch(/skipped: no NOSPACE alarm, database at 0\.\d % of quota/);
    expect(all).toMatch(
      /Defragment member by member[\s\S]*skipped: no NOSPACE alarm, no member fragmented/,
    );
    expect(all).toMatch(/skipped: no NOSPACE alarm raised/);
    expect(all).not.toContain('"action_id":"approval.approve"');
    expect(await approvalKeys()).toEqual([]);
    expect(all).toMatch(/Step 7\/8 · Check etcd again: etcd check of prod/);
    const skipped = withAction(root.ts, 'runbook.anyway');
    expect(skipped).toHaveLength(3);

    // Run anyway on compact, as an approver: an ordinary approval request in the thread.
    const compact = skipped.find((m) => /Compact the key history/.test(JSON.stringify(m.blocks)))!;
    const value = valueOf(compact, 'runbook.anyway');
    expect(value).toMatch(/\|compact$/);
    await click('runbook.anyway', value, 'U0BOB', compact.ts);
    await click('runbook.anyway', value, 'U0BOB', compact.ts); // a double click asks once
    await waitFor(() => Promise.resolve(withAction(root.ts, 'approval.approve').length > 0), {
      what: 'the approval request for compact',
      timeoutMs: 30_000,
    });
    const request = withAction(root.ts, 'approval.approve')[0]!;
    expect(JSON.stringify(request.blocks)).toMatch(/etcd\.compact|compact/i);
    expect(JSON.stringify(request.blocks)).toContain('<@U0BOB>');
    await waitFor(async () => (await approvalKeys()).length === 1, { what: 'one approval' });
    const audit = await readAudit(quorum.deps.redis, 'quorum');
    expect(audit.filter((e) => e.type === 'approval.requested')).toEqual([
      expect.objectContaining({ who: 'U0BOB', action: 'etcd.compact', cluster: 'prod' }),
    ]);

    // Approved by a second person, the job runs against the real etcd; its result lands in the thread.
    const approvalId = valueOf(request, 'approval.approve');
    await click('approval.approve', approvalId, 'U0ALICE', request.ts);
    await waitFor(() => Promise.resolve(/Compacted to revision \d+/.test(text(root.ts))), {
      what: 'the compaction result in the thread',
      timeoutMs: 30_000,
      context: () => text(root.ts),
    });
    // One request was posted, however often Run anyway was clicked.
    const requests = slack
      .calls('chat.postMessage')
      .filter((c) =>
        JSON.stringify(c.body.blocks ?? []).includes('"action_id":"approval.approve"'),
      );
    expect(requests).toHaveLength(1);
  }, 120_000);
});
