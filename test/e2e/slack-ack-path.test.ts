/**
 * A slash command's work after its ack (issue 18): signed requests to the real Bolt
 * receiver, real Redis and BullMQ, the local Slack Web API recording calls. The ack goes
 * out first; the claim of the trigger id and the command's audit entry are one script;
 * the work waits its turn behind a burst. Still: Slack's retry of a delivery acts once,
 * every acked command gets its audit entry, root message and job, and the commands
 * acked just before the bot closes are worked on before Redis closes.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { buildRuntimeDeps, type OwnedRuntimeDeps } from '../../src/runtime-deps.js';
import { readAudit } from '../../src/state/audit.js';
import { startRuntime, type Runtime } from '../../src/transport/queue/runtime.js';
import { startBot, type Bot } from '../../src/transport/slack/bot.js';
import { cleanEnv } from '../support/cli.js';
import { freePort, startRedis, waitFor, type RedisServer } from '../support/index.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { signSlack, slashCommandBody } from '../support/slack-request.js';
import { recordingLogger } from '../support/recording-logger.js';

const SECRET = 'ack-path-signing-secret';
const CHANNEL = 'C0ACK';
let redisServer: RedisServer;
let slack: SlackApi;
let deps: OwnedRuntimeDeps;
let runtime: Runtime;
let bot: Bot;
let base: string;
let redis: Redis;
let closed = false;
const { logger, logged } = recordingLogger();

const closeStack = async () => {
  if (closed) return;
  closed = true;
  await bot?.close();
  await runtime?.close();
  await deps?.close();
};

beforeAll(async () => {
  [redisServer, slack] = await Promise.all([startRedis(), startSlackApi()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    cleanEnv({
      QUORUM_CLUSTER: 'prod',
      REDIS_URL: redisServer.url,
      SLACK_BOT_TOKEN: 'xoxb-ack-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      PORT: String(port),
      HOST: '127.0.0.1',
    }),
  );
  deps = buildRuntimeDeps(config, { logger, stdout: () => undefined });
  // No worker: every job the commands enqueue stays waiting, to be counted.
  runtime = await startRuntime(config, deps, { clusters: [], http: false, outbox: false });
  bot = await startBot(config, deps, runtime);
  redis = new Redis(redisServer.url);
});

afterAll(async () => {
  redis?.disconnect();
  await closeStack();
  await Promise.all([slack?.close(), redisServer?.close()]);
});

let triggers = 0;
const newTrigger = () => `${Date.now()}.${++triggers}.ack-trigger`;
const body = (trigger: string, user = 'U0ALICE') =>
  slashCommandBody({
    command: '/etcd-check',
    text: 'prod',
    user_id: user,
    channel_id: CHANNEL,
    trigger_id: trigger,
    response_url: `${slack.url}response`,
  });
/** POSTs a signed command; Slack's retries carry X-Slack-Retry-Num and the first delivery's signature. */
async function deliver(b: string, headers = signSlack(b, { secret: SECRET })) {
  const res = await fetch(`${base}/slack/events`, { method: 'POST', body: b, headers });
  return { status: res.status, text: await res.text() };
}

const jobs = () => runtime.queues.queue('prod').getJobs(['waiting']);
const jobsOf = async (trigger: string) =>
  (await jobs()).filter((j) => (j.data as { requestId?: string }).requestId === trigger);
const rootsBy = (user: string) =>
  slack.messages(CHANNEL).filter((m) => !m.threadTs && m.text.includes(`<@${user}>`));
const commandEntries = async (user: string) =>
  (await readAudit(redis, 'quorum')).filter((e) => e.type === 'command' && e.who === user);

describe('the work after the ack', () => {
  it('acts once on Slack’s retry of a delivery, even while the first is still being worked on', async () => {
    const trigger = newTrigger();
    const b = body(trigger, 'U0RETRY');
    const headers = signSlack(b, { secret: SECRET });
    const retry = { ...headers, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };
    const acks = await Promise.all([deliver(b, headers), deliver(b, retry), deliver(b, retry)]);
    expect(acks.map((a) => [a.status, a.text])).toEqual([
      [200, ''],
      [200, ''],
      [200, ''],
    ]);
    await waitFor(async () => (await jobsOf(trigger)).length === 1, { what: 'the job' });
    await waitFor(() => Promise.resolve(rootsBy('U0RETRY').length === 1), { what: 'the root' });
    // Time for a second root, job or entry to show up, were one coming.
    await new Promise((r) => setTimeout(r, 300));
    expect(rootsBy('U0RETRY')).toHaveLength(1);
    expect(await jobsOf(trigger)).toHaveLength(1);
    const entries = await commandEntries('U0RETRY');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ cluster: 'prod', action: 'etcd.check' });
  });

  it('gives every command of a burst of 50 its empty ack, audit entry, root message and job', async () => {
    const triggers = Array.from({ length: 50 }, newTrigger);
    const acks = await Promise.all(triggers.map((t) => deliver(body(t, 'U0BURST'))));
    expect(acks.every((a) => a.status === 200 && a.text === '')).toBe(true);
    await waitFor(async () => (await commandEntries('U0BURST')).length === 50, {
      what: 'the 50 audit entries',
    });
    await waitFor(() => Promise.resolve(rootsBy('U0BURST').length === 50), {
      what: 'the 50 root messages',
    });
    await waitFor(
      async () => {
        const ids = new Set((await jobs()).map((j) => (j.data as { requestId: string }).requestId));
        return triggers.every((t) => ids.has(t));
      },
      { what: 'a job for every command' },
    );
    // Each job is in the thread of its own root message.
    const threads = new Set(
      (await jobs())
        .filter((j) => triggers.includes((j.data as { requestId: string }).requestId))
        .map((j) => (j.data as { target: { threadTs: string } }).target.threadTs),
    );
    expect([...threads].sort()).toEqual(
      rootsBy('U0BURST')
        .map((m) => m.ts)
        .sort(),
    );
  });

  it('tells the person and logs it when the audit append fails after the ack, acting on nothing', async () => {
    await redis.set('quorum:audit', 'not a stream');
    try {
      const trigger = newTrigger();
      const before = slack.calls('response').length;
      const ack = await deliver(body(trigger, 'U0FAULT'));
      expect([ack.status, ack.text]).toEqual([200, '']);
      await waitFor(() => Promise.resolve(slack.calls('response').length > before), {
        what: 'the answer to the command',
      });
      const answer = JSON.stringify(slack.calls('response').slice(before)[0]?.body);
      expect(answer).toContain('Error code `INTERNAL`');
      expect(answer).toContain(`trigger id ${trigger}`);
      const line = logged.find(
        (l) => l.level === 'error' && (l.obj as { trigger?: string }).trigger === trigger,
      );
      expect(String((line?.obj as { err?: Error } | undefined)?.err?.message)).toMatch(/WRONGTYPE/);
      expect(await jobsOf(trigger)).toEqual([]);
      expect(rootsBy('U0FAULT')).toEqual([]);
    } finally {
      await redis.del('quorum:audit');
    }
  });

  it('works on every command acked just before the bot closes, before Redis closes', async () => {
    const triggers = Array.from({ length: 30 }, newTrigger);
    const acks = await Promise.all(triggers.map((t) => deliver(body(t, 'U0CLOSE'))));
    expect(acks.every((a) => a.status === 200)).toBe(true);
    await closeStack();
    expect(await commandEntries('U0CLOSE')).toHaveLength(30);
    expect(rootsBy('U0CLOSE')).toHaveLength(30);
    // The queue's own connection is closed: read its wait list (job ids kind@trigger) directly.
    const waiting = await redis.lrange('quorum:jobs-prod:wait', 0, -1);
    expect(triggers.filter((t) => !waiting.includes(`etcd.check@${t}`))).toEqual([]);
  });
});
