/**
 * A bad message cannot block its thread (issue 15, invariant 4), and every 429 is
 * counted (item 11b). Real Redis, real BullMQ, the real WebClient and Bolt against the
 * local Slack Web API, which is told to answer some calls 413, 404, 400, 500 or 429:
 * what no retry can fix is dead-lettered at once, with one error line and a notice in
 * its thread, and the thread's later messages still go out in order; a 500 that lasts
 * past the retry limit is dead-lettered too; every 429 served shows in the metrics.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import type { Logger } from '../../src/domain/logger.js';
import { buildRuntimeDeps, type OwnedRuntimeDeps } from '../../src/runtime-deps.js';
import { readDeadLetters } from '../../src/state/outbox-dead-letters.js';
import { startRuntime, type Runtime } from '../../src/transport/queue/runtime.js';
import { MANUAL_DONE_ACTION_ID } from '../../src/render/block-kit/runbook.js';
import { startBot, type Bot } from '../../src/transport/slack/bot.js';
import { countingFetch } from '../../src/transport/slack/web-client.js';
import { freePort, startRedis, type RedisServer } from '../support/index.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { blockActionBody, postSigned } from '../support/slack-request.js';
import { testConfig, uniquePrefix } from '../e2e/harness.js';

interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg?: string;
}

interface Stack {
  prefix: string;
  deps: OwnedRuntimeDeps;
  runtime: Runtime;
  logs: LogLine[];
  bot?: Bot;
  close(): Promise<void>;
}

let redis: RedisServer;
let slack: SlackApi;
let config: Config;
let stack: Stack | undefined;
const lifts: (() => void)[] = [];

beforeAll(async () => {
  [redis, slack] = await Promise.all([startRedis(), startSlackApi()]);
  config = testConfig(
    { clusters: [{ name: 'c1', etcd: { endpoints: ['http://127.0.0.1:9'] } }] },
    { REDIS_URL: redis.url, SLACK_API_URL: slack.url, SLACK_BOT_TOKEN: 'xoxb-test' },
  );
});

afterEach(async () => {
  for (const lift of lifts.splice(0)) lift();
  await stack?.close();
  stack = undefined;
});

afterAll(async () => {
  await Promise.all([redis?.close(), slack?.close()]);
});

function recordingLogger(logs: LogLine[]): Logger {
  const at =
    (level: LogLine['level']) =>
    (obj: object, msg?: string): void =>
      void logs.push({ level, obj: obj as Record<string, unknown>, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The runtime (outbox consumer) with a logger the test reads; fast client retries. */
async function start(what: string, cfg = config, retryLimitMs?: number): Promise<Stack> {
  const prefix = uniquePrefix(what);
  const logs: LogLine[] = [];
  const deps = buildRuntimeDeps(cfg, {
    logger: recordingLogger(logs),
    stdout: () => undefined,
    slackRetry: { retries: 5, factor: 1, minTimeout: 10, maxTimeout: 50 },
  });
  const runtime = await startRuntime(cfg, deps, {
    clusters: [],
    http: false,
    prefix,
    outbox: { intervalMs: 10, concurrency: 4, ...(retryLimitMs ? { retryLimitMs } : {}) },
  });
  const s: Stack = {
    prefix,
    deps,
    runtime,
    logs,
    close: async () => {
      await s.bot?.close();
      await runtime.close();
      await deps.close();
    },
  };
  return s;
}

const fail = (...args: Parameters<SlackApi['failWhere']>) =>
  void lifts.push(slack.failWhere(...args));
const textIs = (text: string) => (body: Record<string, unknown>) => body.text === text;
const isNotice = (body: Record<string, unknown>) =>
  String(body.text).startsWith('A message from Quorum could not be delivered');
const threadTexts = (channel: string, threadTs: string) =>
  slack
    .messages(channel)
    .filter((m) => m.threadTs === threadTs)
    .map((m) => m.text);
const callsWithText = (method: string, text: string) =>
  slack.calls(method).filter((c) => c.body.text === text);
const errorsAbout = (s: Stack, id: string) =>
  s.logs.filter((l) => l.level === 'error' && l.obj.id === id);

async function postAll(s: Stack, channel: string, threadTs: string, texts: string[]) {
  for (const [i, text] of texts.entries()) {
    await s.runtime.outbox.push({
      op: 'post',
      id: `${channel}-${i}`,
      channel,
      threadTs,
      text,
    });
  }
}

describe('a message Slack refuses for good does not hold back its thread', () => {
  it('413 and 404: dead-lettered once, a notice in their place, the later messages in order', async () => {
    stack = await start('dead');
    fail('chat.postMessage', textIs('too big'), 413);
    fail('chat.postMessage', textIs('wrong url'), 404);
    const thread = '1700000000.000100';
    await postAll(stack, 'C0DEAD', thread, ['one', 'too big', 'three', 'wrong url', 'five']);
    await expect
      .poll(() => threadTexts('C0DEAD', thread), { timeout: 20_000, interval: 100 })
      .toEqual([
        'one',
        "A message from Quorum could not be delivered: HTTP 413. Details in the bot's log.",
        'three',
        "A message from Quorum could not be delivered: HTTP 404. Details in the bot's log.",
        'five',
      ]);
    // Neither the client nor the outbox tried a permanent failure again.
    expect(callsWithText('chat.postMessage', 'too big')).toHaveLength(1);
    expect(callsWithText('chat.postMessage', 'wrong url')).toHaveLength(1);

    const letters = await readDeadLetters(stack.deps.redis, stack.prefix);
    expect(letters.map((l) => [l.id, l.code, l.status, l.method, l.noticed])).toEqual([
      ['C0DEAD-3', 'http_404', 404, 'chat.postMessage', true],
      ['C0DEAD-1', 'http_413', 413, 'chat.postMessage', true],
    ]);
    expect(letters[1]).toMatchObject({
      channel: 'C0DEAD',
      threadTs: thread,
      text: 'too big',
      expired: false,
      notice: false,
    });
    expect(errorsAbout(stack, 'C0DEAD-1')).toHaveLength(1);
    expect(errorsAbout(stack, 'C0DEAD-3')).toHaveLength(1);
    expect(errorsAbout(stack, 'C0DEAD-1')[0]!.obj).toMatchObject({ code: 'http_413', status: 413 });
    const logged = JSON.stringify(stack.logs);
    expect(logged).not.toContain('xoxb-test');
    const metrics = await stack.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/quorum_outbox_dropped_total\{reason="http_413"\} 1/);
    expect(metrics).toMatch(/quorum_outbox_dropped_total\{reason="http_404"\} 1/);
  });

  it('a refused edit: dead-lettered, the notice goes into the edited message’s thread', async () => {
    stack = await start('dead-edit');
    const root = await stack.deps.slack!.chat.postMessage({ channel: 'C0EDIT', text: 'running' });
    const ts = String(root.ts);
    fail('chat.update', textIs('huge verdict'), 413);
    await stack.runtime.outbox.push({
      op: 'update',
      id: 'verdict',
      channel: 'C0EDIT',
      ts,
      text: 'huge verdict',
      final: true,
    });
    await expect
      .poll(() => threadTexts('C0EDIT', ts), { timeout: 15_000, interval: 100 })
      .toEqual([
        "A message from Quorum could not be delivered: HTTP 413. Details in the bot's log.",
      ]);
    await postAll(stack, 'C0EDIT', ts, ['later reply']);
    await expect
      .poll(() => threadTexts('C0EDIT', ts), { timeout: 15_000, interval: 100 })
      .toHaveLength(2);
    expect(slack.messages('C0EDIT').find((m) => m.ts === ts)?.text).toBe('running');
    const letters = await readDeadLetters(stack.deps.redis, stack.prefix);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ id: 'verdict', op: 'update', ts, code: 'http_413' });
    expect(errorsAbout(stack, 'verdict')).toHaveLength(1);
  });

  it('a notice that fails for good too is given up: no loop, the thread goes on', async () => {
    stack = await start('dead-notice');
    fail('chat.postMessage', textIs('bad blocks'), 413);
    fail('chat.postMessage', isNotice, 400);
    const thread = '1700000000.000200';
    await postAll(stack, 'C0LOOP', thread, ['bad blocks', 'next', 'last']);
    await expect
      .poll(() => threadTexts('C0LOOP', thread), { timeout: 15_000, interval: 100 })
      .toEqual(['next', 'last']);
    await new Promise((r) => setTimeout(r, 500));
    const notices = slack
      .calls('chat.postMessage')
      .filter((c) => c.body.channel === 'C0LOOP' && isNotice(c.body));
    expect(notices).toHaveLength(1);
    const letters = await readDeadLetters(stack.deps.redis, stack.prefix);
    expect(letters.map((l) => [l.id, l.code, l.notice, l.noticed])).toEqual([
      ['notice.C0LOOP-0', 'http_400', true, false],
      ['C0LOOP-0', 'http_413', false, true],
    ]);
    expect(stack.logs.filter((l) => l.level === 'error')).toHaveLength(2);
  });
});

describe('a transient failure is retried, but not forever', () => {
  it('a 500 that lasts past the retry limit is dead-lettered; the thread goes on', async () => {
    stack = await start('dead-500', config, 2_000);
    fail('chat.postMessage', textIs('flaky'), 500);
    const thread = '1700000000.000300';
    await postAll(stack, 'C0FLAKY', thread, ['flaky', 'after']);
    await expect
      .poll(() => threadTexts('C0FLAKY', thread), { timeout: 30_000, interval: 100 })
      .toEqual([
        "A message from Quorum could not be delivered: HTTP 500, still failing after 2 s. Details in the bot's log.",
        'after',
      ]);
    // Retried by the client and by the outbox before it was given up.
    expect(callsWithText('chat.postMessage', 'flaky').length).toBeGreaterThan(6);
    const letters = await readDeadLetters(stack.deps.redis, stack.prefix);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ id: 'C0FLAKY-0', code: 'http_500', expired: true });
    expect(errorsAbout(stack, 'C0FLAKY-0')).toHaveLength(1);
    expect(stack.logs.some((l) => l.level === 'warn' && l.obj.code === 'http_500')).toBe(true);
  }, 45_000);
});

describe('quorum_slack_rate_limited_total', () => {
  const sumOf = (text: string) =>
    [...text.matchAll(/^quorum_slack_rate_limited_total\{method="([^"]+)"\} (\d+)$/gm)].reduce(
      (acc, m) => ({ ...acc, [m[1]!]: (acc[m[1]!] ?? 0) + Number(m[2]) }),
      {} as Record<string, number>,
    );

  it('counts every 429 Slack serves: the outbox’s, the bot’s own calls, and those without Retry-After', async () => {
    const port = await freePort();
    const botConfig = testConfig(
      { clusters: [{ name: 'c1', etcd: { endpoints: ['http://127.0.0.1:9'] } }] },
      {
        REDIS_URL: redis.url,
        SLACK_API_URL: slack.url,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'rate-limit-secret',
        PORT: String(port),
        HOST: '127.0.0.1',
      },
    );
    const before = slack.calls().length;
    const served = () =>
      slack
        .calls()
        .slice(before)
        .filter((c) => c.status === 429);
    // Bolt's auth.test at start: a call the outbox never makes.
    slack.failNext('auth.test', 1, 429, 0);
    stack = await start('rate', botConfig);
    stack.bot = await startBot(botConfig, stack.deps, stack.runtime, stack.prefix);
    slack.failNext('chat.postMessage', 2, 429, 0);
    const thread = '1700000000.000400';
    await postAll(stack, 'C0RATE', thread, ['r1', 'r2', 'r3']);
    await expect
      .poll(() => threadTexts('C0RATE', thread), { timeout: 20_000 })
      .toEqual(['r1', 'r2', 'r3']);
    // A 429 with no Retry-After: the client gives up on it at once (the outbox retries).
    slack.failNext('chat.update', 1, 429, null);
    const ts = slack.messages('C0RATE')[0]!.ts;
    await stack.runtime.outbox.push({
      op: 'update',
      id: 'r-edit',
      channel: 'C0RATE',
      ts,
      text: 'r1 edited',
      final: true,
    });
    await expect
      .poll(() => slack.messages('C0RATE').find((m) => m.ts === ts)?.text, { timeout: 20_000 })
      .toBe('r1 edited');
    // A Done click on a run that is over: the bot answers through the response_url.
    slack.failNext('response', 1, 429, 0);
    const click = blockActionBody({
      actionId: MANUAL_DONE_ACTION_ID,
      value: 'no-such-run|no-such-step',
      userId: 'U0ALICE',
      messageTs: ts,
      channel: 'C0RATE',
      responseUrl: `${slack.url}response`,
    });
    expect((await postSigned(`http://127.0.0.1:${port}`, click, 'rate-limit-secret')).status).toBe(
      200,
    );
    await expect.poll(() => served().length, { timeout: 20_000 }).toBe(5);
    await expect
      .poll(async () => sumOf(await stack!.deps.metrics.registry.metrics()), { timeout: 20_000 })
      .toEqual({ 'auth.test': 1, 'chat.postMessage': 2, 'chat.update': 1, response: 1 });
  }, 60_000);

  it('labels a 429 from a response_url as response_url, never with its secret path', async () => {
    const server = createServer((_req, res) => void res.writeHead(429).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const heard: string[] = [];
    const fetch429 = countingFetch(`http://127.0.0.1:${port}/api/`, (m) => void heard.push(m));
    try {
      await fetch429(`http://127.0.0.1:${port}/api/views.open`, { method: 'POST' });
      await fetch429(`http://127.0.0.1:${port}/commands/T0/1/s3cret`, { method: 'POST' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(heard).toEqual(['views.open', 'response_url']);
  });
});
