/**
 * The Slack side over Socket Mode end to end: the real Bolt SocketModeReceiver
 * connected to a local Socket Mode endpoint (hello, envelopes, acks, disconnect),
 * real Redis, real etcd, a real worker, and the local Slack Web API test server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/transport/queue/runtime.js';
import type { Bot } from '../../src/transport/slack/bot.js';
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
import type { SlashCommand } from '../support/slack-request.js';
import {
  blockActionEnvelope,
  slashCommandEnvelope,
  startSocketModeServer,
  type SocketModeServer,
} from '../support/socket-mode-server.js';

const APP_TOKEN = 'xapp-1-A0TEST-1-e2e';
const CHANNEL = 'C0OPS';
let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let sm: SocketModeServer;
let stack: QuorumBot;
let runtime: Runtime;
let bot: Bot;
let health: string;

beforeAll(async () => {
  [etcd, redis, slack] = await Promise.all([startEtcd(), startRedis(), startSlackApi()]);
  sm = await startSocketModeServer({ slack, appToken: APP_TOKEN });
  const port = await freePort();
  health = `http://127.0.0.1:${port}`;
  const env = cleanEnv({
    ...etcd.env,
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: await tmpDir('quorum-e2e-sm-snaps-'),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-e2e-token',
    SLACK_APP_TOKEN: APP_TOKEN, // and no signing secret: Socket Mode needs none
    SLACK_API_URL: slack.url,
    QUORUM_APPROVERS: 'U0BOB,S0ONCALL',
    PORT: String(port),
    HOST: '127.0.0.1',
  });
  slack.setUsergroup('S0ONCALL', ['U0CAROL']);
  // As `quorum start` does: in Socket Mode the runtime serves /healthz, /readyz, /metrics.
  stack = await startQuorumBot(env, { clusters: ['prod'], outboxIntervalMs: 50 });
  runtime = stack.runtime;
  bot = stack.bot;
});

afterAll(async () => {
  await stack?.close();
  await Promise.all([sm?.close(), slack?.close(), redis?.close(), etcd?.close()]);
});

const command = (c: SlashCommand) =>
  slashCommandEnvelope({ channel_id: CHANNEL, response_url: `${slack.url}response`, ...c });
const jobCounts = () =>
  runtime.queues.queue('prod').getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
const totalJobs = async () => Object.values(await jobCounts()).reduce((a, b) => a + b, 0);
const thread = (ts: string) =>
  slack
    .messages(CHANNEL)
    .filter((m) => m.threadTs === ts)
    .map((m) => ({ ...m, text: `${m.text}\n${JSON.stringify(m.blocks ?? [])}` }));
const roots = (re: RegExp) => slack.messages(CHANNEL).filter((m) => !m.threadTs && re.test(m.text));

describe('Socket Mode connection', () => {
  it('opens with the app-level token, gets its hello, and reports ready', async () => {
    expect(bot.mode).toBe('socket');
    const opens = slack.calls('apps.connections.open');
    expect(opens.length).toBeGreaterThanOrEqual(1);
    expect(opens.every((c) => c.token === APP_TOKEN)).toBe(true);
    expect(sm.opened()).toBe(1);
    expect(sm.open()).toBe(1);
    const ready = await fetch(`${health}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toContain('slack');
  });
});

describe('slash commands over Socket Mode', () => {
  let trigger: string;
  let rootTs: string;

  it('/etcd-check: acked at once, a root message, the result in its thread, the root edited', async () => {
    const envelope = command({ command: '/etcd-check', user_id: 'U0ALICE' });
    trigger = String(envelope.payload.trigger_id);
    const ack = await sm.deliver(envelope, 3_000);
    expect(ack.envelope_id).toBe(envelope.envelope_id);
    expect(ack.ms).toBeLessThan(3_000);
    // A bare ack: nothing shown to the user; the work happens in the channel.
    expect(ack.payload ?? {}).toEqual({});

    await waitFor(() => Promise.resolve(roots(/etcd check/i).length > 0), {
      what: 'the root message',
    });
    const root = roots(/etcd check/i)[0]!;
    rootTs = root.ts;
    expect(root.text).toContain('<@U0ALICE>');
    expect(root.text).toContain('*prod*');
    await waitFor(() => Promise.resolve(thread(root.ts).some((m) => /Members/.test(m.text))), {
      what: 'the check result in the thread',
      timeoutMs: 30_000,
    });
    const reply = slack
      .calls('chat.postMessage')
      .find((c) => c.body.thread_ts === root.ts && /Members/.test(JSON.stringify(c.body.blocks)));
    expect(reply).toBeDefined();
    await waitFor(
      () =>
        Promise.resolve(
          !/— running/.test(slack.messages(CHANNEL).find((m) => m.ts === root.ts)!.text),
        ),
      { what: 'the root to show the outcome' },
    );
    const edited = slack.messages(CHANNEL).find((m) => m.ts === root.ts)!;
    expect(edited.history[0]).toMatch(/— running/);
    expect(edited.text).toMatch(/— (✔ done|▲ |✖ )/);
    expect(slack.calls('chat.update').some((c) => c.body.ts === root.ts)).toBe(true);
  });

  it('acts once on a re-delivered envelope (same trigger id)', async () => {
    const postsBefore = slack.calls('chat.postMessage').length;
    const jobsBefore = await totalJobs();
    const again = command({ command: '/etcd-check', user_id: 'U0ALICE', trigger_id: trigger });
    const ack = await sm.deliver(again, 3_000);
    expect(ack.envelope_id).toBe(again.envelope_id);
    await new Promise((r) => setTimeout(r, 500));
    expect(slack.calls('chat.postMessage').length).toBe(postsBefore);
    expect(await totalJobs()).toBe(jobsBefore);
    expect(roots(/etcd check/i).map((m) => m.ts)).toEqual([rootTs]);
  });

  it('answers bad input in the ack itself (an ephemeral response payload), enqueueing nothing', async () => {
    const before = await totalJobs();
    const typo = await sm.deliver(command({ command: '/etcd-check', text: 'prdo' }), 3_000);
    expect(typo.payload?.response_type).toBe('ephemeral');
    expect(JSON.stringify(typo.payload)).toContain('Did you mean prod?');
    const help = await sm.deliver(command({ command: '/quorum', text: 'help' }), 3_000);
    expect(String(help.payload?.text)).toContain('/etcd-snapshot');
    expect(await totalJobs()).toBe(before);
  });
});

describe('approval of /etcd-defrag over Socket Mode', () => {
  it('runs after an approver clicks Approve (an interactive envelope)', async () => {
    const defrags = async () =>
      (
        await runtime.queues.queue('prod').getJobs(['completed', 'active', 'waiting', 'delayed'])
      ).filter((j) => j.name === 'etcd.defrag').length;
    const count = slack.calls('chat.postMessage').length;
    await sm.deliver(command({ command: '/etcd-defrag', user_id: 'U0ALICE' }), 3_000);
    await waitFor(
      () =>
        Promise.resolve(
          slack
            .calls('chat.postMessage')
            .slice(count)
            .some((c) => JSON.stringify(c.body.blocks ?? '').includes('approval.approve')),
        ),
      { what: 'the approval request' },
    );
    const posted = slack
      .calls('chat.postMessage')
      .slice(count)
      .find((c) => JSON.stringify(c.body.blocks ?? '').includes('approval.approve'))!;
    const id = /"value":"([^"]+)"/.exec(JSON.stringify(posted.body.blocks))![1]!;
    const ts = slack.messages(CHANNEL).find((m) => JSON.stringify(m.blocks ?? '').includes(id))!.ts;
    expect(await defrags()).toBe(0);

    const click = blockActionEnvelope({
      actionId: 'approval.approve',
      value: id,
      userId: 'U0BOB',
      messageTs: ts,
      channel: CHANNEL,
      responseUrl: `${slack.url}response`,
    });
    const ack = await sm.deliver(click, 3_000);
    expect(ack.envelope_id).toBe(click.envelope_id);
    await waitFor(async () => (await defrags()) === 1, { what: 'the defrag job' });
    await waitFor(() => Promise.resolve(thread(ts).some((m) => /defrag/i.test(m.text))), {
      what: 'the defrag result in the approval thread',
      timeoutMs: 30_000,
    });
    const request = slack.messages(CHANNEL).find((m) => m.ts === ts)!;
    expect(JSON.stringify(request.blocks)).not.toContain('approval.approve');
  });
});

describe('Slack recycling the connection', () => {
  it('reconnects after a disconnect message and keeps taking commands', async () => {
    const opens = slack.calls('apps.connections.open').length;
    sm.disconnect('refresh_requested');
    // The client closes at once and reconnects after its clientPingTimeout (5 s).
    await waitFor(() => Promise.resolve(sm.open() === 0 || sm.opened() >= 2), {
      what: 'the old connection to close',
    });
    await sm.waitForConnections(2, 20_000);
    expect(slack.calls('apps.connections.open').length).toBe(opens + 1);
    const help = await sm.deliver(command({ command: '/quorum', text: 'help' }), 3_000);
    expect(help.connection).toBe(2);
    expect(String(help.payload?.text)).toContain('/etcd-check');
    expect(sm.unexpected()).toEqual([]);
  }, 30_000);
});
