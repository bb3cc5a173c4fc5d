/**
 * The Slack side end to end: signed requests to the real Bolt receiver, real Redis,
 * real etcd, a real worker, and the local Slack Web API test server recording calls.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/transport/queue/runtime.js';
import { cleanEnv, quorum } from '../support/cli.js';
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
import {
  blockActionBody,
  signSlack,
  slashCommandBody,
  type SlashCommand,
} from '../support/slack-request.js';

const SECRET = 'e2e-signing-secret';
const CHANNEL = 'C0OPS';
let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let stack: QuorumBot;
let runtime: Runtime;
let base: string;
let env: Record<string, string>;

beforeAll(async () => {
  [etcd, redis, slack] = await Promise.all([startEtcd(), startRedis(), startSlackApi()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = cleanEnv({
    ...etcd.env,
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: await tmpDir('quorum-e2e-snaps-'),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-e2e-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    QUORUM_APPROVERS: 'U0BOB,S0ONCALL',
    PORT: String(port),
    HOST: '127.0.0.1',
  });
  slack.setUsergroup('S0ONCALL', ['U0CAROL']);
  stack = await startQuorumBot(env, { clusters: ['prod'], outboxIntervalMs: 50 });
  runtime = stack.runtime;
});

afterAll(async () => {
  await stack?.close();
  await Promise.all([slack?.close(), redis?.close(), etcd?.close()]);
});

const send = async (body: string, headers: Record<string, string>) => {
  const started = Date.now();
  const res = await fetch(`${base}/slack/events`, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, text, ms: Date.now() - started };
};
const command = (c: SlashCommand, sign: Parameters<typeof signSlack>[1] = { secret: SECRET }) => {
  const body = slashCommandBody({
    channel_id: CHANNEL,
    response_url: `${slack.url}response`,
    ...c,
  });
  return send(body, signSlack(body, sign));
};
const click = (actionId: string, value: string, userId: string, messageTs: string) => {
  const body = blockActionBody({
    actionId,
    value,
    userId,
    messageTs,
    channel: CHANNEL,
    responseUrl: `${slack.url}response`,
  });
  return send(body, signSlack(body, { secret: SECRET }));
};
const ephemerals = () =>
  slack.calls('response').map((c) => (typeof c.body.text === 'string' ? c.body.text : ''));
const jobCounts = () =>
  runtime.queues.queue('prod').getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
const totalJobs = async () => Object.values(await jobCounts()).reduce((a, b) => a + b, 0);
const thread = (ts: string) =>
  slack
    .messages(CHANNEL)
    .filter((m) => m.threadTs === ts)
    .map((m) => ({ ...m, text: `${m.text}\n${JSON.stringify(m.blocks ?? [])}` }));

describe('slash commands over HTTP', () => {
  it('/etcd-snapshot: fast 200, a root message, the verified snapshot named in its thread', async () => {
    const r = await command({ command: '/etcd-snapshot', user_id: 'U0ALICE' });
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3_000);
    await waitFor(
      () =>
        Promise.resolve(
          slack.messages(CHANNEL).some((m) => !m.threadTs && /etcd snapshot/i.test(m.text)),
        ),
      { what: 'the root message' },
    );
    const root = slack.messages(CHANNEL).find((m) => !m.threadTs && /etcd snapshot/i.test(m.text))!;
    expect(root.text).toContain('<@U0ALICE>');
    await waitFor(
      () => Promise.resolve(thread(root.ts).some((m) => /prod-\d{8}T\d{6}Z-r\d+/.test(m.text))),
      { what: 'the result in the thread', timeoutMs: 30_000 },
    );
    const id = /prod-\d{8}T\d{6}Z-r\d+/.exec(
      thread(root.ts)
        .map((m) => m.text)
        .join('\n'),
    )![0];
    const verify = await quorum(['etcd', 'verify', id], env);
    expect(verify.code).toBe(0);
    await waitFor(
      () =>
        Promise.resolve(/done|✔/.test(slack.messages(CHANNEL).find((m) => m.ts === root.ts)!.text)),
      { what: 'the root to show the outcome' },
    );
  });

  it('refuses a bad signature and a stale timestamp with 401, enqueueing nothing', async () => {
    const before = await totalJobs();
    expect(
      (await command({ command: '/etcd-check' }, { secret: SECRET, signWith: 'forged' })).status,
    ).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect(
      (await command({ command: '/etcd-check' }, { secret: SECRET, timestamp: stale })).status,
    ).toBe(401);
    expect(await totalJobs()).toBe(before);
  });

  it('answers bad input with an ephemeral message, never crashing or enqueueing', async () => {
    const before = await totalJobs();
    const inputs = [
      'prdo',
      'x'.repeat(10_000),
      '<!channel> pwn',
      '"unterminated',
      '🔥\u202e\u0000',
      'prod; rm -rf /',
    ];
    for (const text of inputs) {
      const r = await command({ command: '/etcd-check', text });
      expect(r.status).toBe(200);
      const reply = JSON.parse(r.text) as { response_type: string; text: string };
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.text).not.toContain('<!channel>');
    }
    const typo = JSON.parse((await command({ command: '/etcd-check', text: 'prdo' })).text) as {
      text: string;
      blocks: unknown[];
    };
    expect(JSON.stringify(typo)).toContain('Did you mean prod?');
    const help = JSON.parse((await command({ command: '/quorum', text: 'help' })).text) as {
      text: string;
    };
    expect(help.text).toContain('/etcd-snapshot');
    expect(await totalJobs()).toBe(before);
  });
});

describe('four-eyes approval of /etcd-defrag', () => {
  const requestApproval = async () => {
    const count = slack.calls('chat.postMessage').length;
    expect((await command({ command: '/etcd-defrag', user_id: 'U0ALICE' })).status).toBe(200);
    await waitFor(() => Promise.resolve(slack.calls('chat.postMessage').length > count), {
      what: 'the approval request',
    });
    const posted = slack
      .calls('chat.postMessage')
      .slice(count)
      .find((c) => JSON.stringify(c.body.blocks ?? '').includes('approval.approve'))!;
    const id = /"value":"([^"]+)"/.exec(JSON.stringify(posted.body.blocks))![1]!;
    const msg = slack.messages(CHANNEL).find((m) => JSON.stringify(m.blocks ?? '').includes(id))!;
    return { id, ts: msg.ts };
  };
  const defragsDone = async () =>
    (
      await runtime.queues.queue('prod').getJobs(['completed', 'active', 'waiting', 'delayed'])
    ).filter((j) => j.name === 'etcd.defrag').length;

  it('runs only after another approver clicks, exactly once', async () => {
    const { id, ts } = await requestApproval();
    await click('approval.approve', id, 'U0ALICE', ts);
    await waitFor(
      () => Promise.resolve(ephemerals().some((t) => /someone else has to approve/.test(t))),
      { what: 'the requester refused' },
    );
    await click('approval.approve', id, 'U0MALLORY', ts);
    await waitFor(() => Promise.resolve(ephemerals().some((t) => /Only approvers/.test(t))), {
      what: 'a non-approver refused',
    });
    expect(await defragsDone()).toBe(0);
    // Two approvers at once (one through a user group): one decision, one run.
    await Promise.all([
      click('approval.approve', id, 'U0BOB', ts),
      click('approval.approve', id, 'U0CAROL', ts),
    ]);
    await waitFor(async () => (await defragsDone()) === 1, { what: 'the defrag job' });
    await waitFor(() => Promise.resolve(ephemerals().some((t) => /already approved/.test(t))), {
      what: 'the second click refused',
    });
    await click('approval.approve', id, 'U0BOB', ts);
    await new Promise((r) => setTimeout(r, 300));
    expect(await defragsDone()).toBe(1);
    await waitFor(() => Promise.resolve(thread(ts).some((m) => /defrag/i.test(m.text))), {
      what: 'the defrag result in the approval thread',
      timeoutMs: 30_000,
    });
    const request = slack.messages(CHANNEL).find((m) => m.ts === ts)!;
    expect(JSON.stringify(request.blocks)).not.toContain('approval.approve');
  });

  it('runs nothing when rejected', async () => {
    const before = await defragsDone();
    const { id, ts } = await requestApproval();
    await click('approval.reject', id, 'U0BOB', ts);
    await click('approval.approve', id, 'U0CAROL', ts);
    await new Promise((r) => setTimeout(r, 300));
    expect(await defragsDone()).toBe(before);
    expect(ephemerals().some((t) => /already rejected/.test(t))).toBe(true);
  });

  it('records who asked, approved and ran what in the audit log', async () => {
    const r = await quorum(['audit-log', '--since', '1h'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('approval.decided');
    expect(r.stdout).toContain('U0BOB');
    expect(r.stdout).toContain('job.started');
    expect(r.stdout).toMatch(/job\.finished.*etcd\.defrag/);
    expect(existsSync(env.QUORUM_SNAPSHOT_DIR!)).toBe(true);
  });
});
