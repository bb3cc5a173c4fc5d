/**
 * What Slack is told when something fails (issue 15, invariant 7 and item 9): signed
 * requests to the real Bolt receiver, real Redis, a real worker and etcd, the local
 * Slack Web API recording every call. A QuorumError shows its message, hint and code;
 * anything unexpected shows INTERNAL with the id the log line carries, never its text.
 * A cron pattern the scheduler would refuse is a usage error in the ack: nothing scheduled.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { buildRuntimeDeps, type OwnedRuntimeDeps } from '../../src/runtime-deps.js';
import { startRuntime, type Runtime } from '../../src/transport/queue/runtime.js';
import { startBot, type Bot } from '../../src/transport/slack/bot.js';
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
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { postSigned, slashCommandBody } from '../support/slack-request.js';
import { recordingLogger } from '../support/recording-logger.js';

const SECRET = 'errors-signing-secret';
const CHANNEL = 'C0ERRORS';
let etcd: EtcdCluster;
let redisServer: RedisServer;
let slack: SlackApi;
let deps: OwnedRuntimeDeps;
let runtime: Runtime;
let bot: Bot;
let base: string;
let redis: Redis;
/** Every log line the bot and the worker wrote, for "the internal text is in the log". */
const { logger, logged } = recordingLogger();

beforeAll(async () => {
  [etcd, redisServer, slack] = await Promise.all([startEtcd(), startRedis(), startSlackApi()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    cleanEnv({
      ...etcd.env,
      QUORUM_CLUSTER: 'prod',
      QUORUM_SNAPSHOT_DIR: await tmpDir('quorum-errors-snaps-'),
      REDIS_URL: redisServer.url,
      SLACK_BOT_TOKEN: 'xoxb-errors-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      PORT: String(port),
      HOST: '127.0.0.1',
    }),
  );
  deps = buildRuntimeDeps(config, { logger, stdout: () => undefined });
  runtime = await startRuntime(config, deps, {
    clusters: ['prod'],
    http: false,
    outbox: { intervalMs: 20 },
  });
  bot = await startBot(config, deps, runtime);
  redis = new Redis(redisServer.url);
});

afterAll(async () => {
  redis?.disconnect();
  await bot?.close();
  await runtime?.close();
  await deps?.close();
  await Promise.all([slack?.close(), redisServer?.close(), etcd?.close()]);
});

let triggers = 0;
/** Sends the command; returns Slack's HTTP answer (the ack) and the trigger id used. */
async function command(name: string, text: string) {
  const trigger = `${Date.now()}.${++triggers}.errors-trigger`;
  const body = slashCommandBody({
    command: name,
    text,
    channel_id: CHANNEL,
    trigger_id: trigger,
    response_url: `${slack.url}response`,
  });
  const res = await postSigned(base, body, SECRET);
  const ack = await res.text();
  return {
    status: res.status,
    ack: ack ? (JSON.parse(ack) as Record<string, unknown>) : {},
    trigger,
  };
}

/** The answers sent to the command's response_url after `before` (an index into them). */
const answersSince = (before: number) =>
  slack
    .calls('response')
    .slice(before)
    .map((c) => JSON.stringify(c.body));

async function nextAnswer(before: number): Promise<string> {
  await waitFor(() => Promise.resolve(answersSince(before).length > 0), {
    what: 'the answer to the command',
  });
  return answersSince(before)[0]!;
}

const schedulers = () => runtime.queues.queue('prod').getJobSchedulers(0, -1, true);
const totalJobs = async () =>
  Object.values(
    await runtime.queues
      .queue('prod')
      .getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
  ).reduce((a, b) => a + b, 0);

describe('a cron pattern is parsed at the edge, by the scheduler’s parser', () => {
  it('answers a pattern BullMQ would refuse with the usage, in the ack, scheduling nothing', async () => {
    const posts = slack.calls('chat.postMessage').length;
    const responses = slack.calls('response').length;
    for (const pattern of ['1e309 * * * *', '/etc/shadow * * * *', '*bold* * * * *']) {
      const r = await command('/etcd-snapshot', `schedule prod cron "${pattern}"`);
      expect(r.status).toBe(200);
      expect(r.ack.response_type).toBe('ephemeral');
      const said = JSON.stringify(r.ack);
      expect(said).toContain(`is not a cron pattern: the minute field`);
      expect(said).toContain('Usage:');
      expect(said).toContain('e.g. cron \\"0 */6 * * *\\"');
      expect(said).toContain('Error code `USAGE`');
    }
    // Nothing was scheduled, in BullMQ's view or in Redis itself.
    expect(await schedulers()).toEqual([]);
    expect(await redis.exists('quorum:jobs-prod:repeat')).toBe(0);
    expect(await redis.keys('quorum:jobs-prod:repeat*')).toEqual([]);
    // And nothing was said after the ack: no "Quorum could not do that", no post.
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.calls('response').length).toBe(responses);
    expect(slack.calls('chat.postMessage').length).toBe(posts);
  });

  it('schedules a good pattern', async () => {
    const r = await command('/etcd-snapshot', 'schedule prod cron "0 */6 * * *"');
    expect(r.status).toBe(200);
    await waitFor(
      () =>
        Promise.resolve(
          slack.messages(CHANNEL).some((m) => /Snapshots on cron `0 \*\/6 \* \* \*`/.test(m.text)),
        ),
      { what: 'the schedule confirmation' },
    );
    expect(await schedulers()).toEqual([
      expect.objectContaining({ key: 'etcd.snapshot', pattern: '0 */6 * * *', tz: 'UTC' }),
    ]);
    await runtime.queues.queue('prod').removeJobScheduler('etcd.snapshot');
  });
});

describe('errors after the ack', () => {
  it('a QuorumError shows its message, hint and code', async () => {
    const before = slack.calls('response').length;
    const r = await command('/runbook', 'run node-not-ready prod color=red');
    expect(r.ack).toEqual({});
    const answer = await nextAnswer(before);
    expect(answer).toContain('"response_type":"ephemeral"');
    expect(answer).toContain('color is not a parameter of node-not-ready');
    expect(answer).toContain('*What to do:* Give the parameters as key=value');
    expect(answer).toContain('Error code `RUNBOOK_UNKNOWN`');
  });

  it('an unexpected error shows INTERNAL and where to look; its text only reaches the log', async () => {
    // The fault: the audit stream's key holds a string, so XADD fails with WRONGTYPE.
    await redis.set('quorum:audit', 'not a stream');
    try {
      const jobs = await totalJobs();
      const before = slack.calls('response').length;
      const r = await command('/etcd-check', 'prod');
      const answer = await nextAnswer(before);
      expect(answer).toContain('Quorum could not do that (INTERNAL)');
      expect(answer).toContain('Error code `INTERNAL`');
      expect(answer).toContain(`trigger id ${r.trigger}`);
      for (const internal of ['WRONGTYPE', 'ReplyError', 'wrong kind of value', '    at '])
        expect(answer).not.toContain(internal);
      expect(await totalJobs()).toBe(jobs);
      // The log line has the whole story under the same trigger id.
      const line = logged.find(
        (l) => l.level === 'error' && (l.obj as { trigger?: string }).trigger === r.trigger,
      );
      expect(String((line?.obj as { err?: Error } | undefined)?.err?.message)).toMatch(/WRONGTYPE/);
    } finally {
      await redis.del('quorum:audit');
    }
  });

  it('a job that fails with a QuorumError shows its hint and code in the thread', async () => {
    const id = 'prod-20260101T000000Z-r1';
    const r = await command('/etcd-snapshot', `restore-plan ${id}`);
    expect(r.status).toBe(200);
    await waitFor(
      () =>
        Promise.resolve(
          slack.messages(CHANNEL).some((m) => !m.threadTs && /restore plan/i.test(m.text)),
        ),
      { what: 'the root message' },
    );
    const root = slack.messages(CHANNEL).find((m) => !m.threadTs && /restore plan/i.test(m.text))!;
    const reply = () =>
      slack.messages(CHANNEL).find((m) => m.threadTs === root.ts && /failed/.test(m.text));
    await waitFor(() => Promise.resolve(Boolean(reply())), {
      what: 'the failure in the thread',
      timeoutMs: 30_000,
    });
    const failed = reply()!;
    expect(failed.text).toMatch(
      new RegExp(`^:x: restore plan of prod failed: No snapshot "${id}"`),
    );
    const blocks = JSON.stringify(failed.blocks);
    expect(blocks).toContain('*What to do:* List them with');
    expect(blocks).toContain('Error code `SNAPSHOT_NOT_FOUND`');
  });
});
