/**
 * The Slack outbox against real Redis and a local Slack Web API that answers 429 to
 * some calls: a burst is delivered whole, in order per thread, nothing twice; a
 * channel is paced; progress edits of one message coalesce and the final one wins;
 * transient errors are retried, permanent ones dead-lettered without blocking the thread
 * (outbox-dead-letters.test.ts has the rest of that story).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { readDeadLetters } from '../../src/state/outbox-dead-letters.js';
import { startRedis, type RedisServer } from '../support/index.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { startTestRuntime, testConfig, uniquePrefix, type TestRuntime } from '../e2e/harness.js';

let redis: RedisServer;
let slack: SlackApi;
let config: Config;
let rt: TestRuntime | undefined;

beforeAll(async () => {
  [redis, slack] = await Promise.all([startRedis(), startSlackApi()]);
  config = testConfig(
    { clusters: [{ name: 'c1', etcd: { endpoints: ['http://127.0.0.1:9'] } }] },
    { REDIS_URL: redis.url, SLACK_API_URL: slack.url, SLACK_BOT_TOKEN: 'xoxb-test' },
  );
});

afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

afterAll(async () => {
  await Promise.all([redis?.close(), slack?.close()]);
});

const delivered = (channel: string) =>
  slack.calls('chat.postMessage').filter((c) => c.status === 200 && c.body.channel === channel);

describe('Slack outbox', () => {
  it('delivers a burst of 200 to one channel through 429s: all, in order per thread, none twice', async () => {
    rt = await startTestRuntime(config, {
      prefix: uniquePrefix('burst'),
      outbox: { intervalMs: 5, concurrency: 4 },
    });
    const threads = [
      '1700000000.000001',
      '1700000000.000002',
      '1700000000.000003',
      '1700000000.000004',
    ];
    slack.failNext('chat.postMessage', 2, 429, 1);
    const pushes: Promise<boolean>[] = [];
    for (let i = 0; i < 200; i++) {
      const threadTs = i % 5 === 4 ? undefined : threads[i % 4];
      const text = `${threadTs ?? 'top'} #${i}`;
      pushes.push(
        rt.runtime.outbox.push({
          op: 'post',
          id: `burst-${i}`,
          channel: 'C0BURST',
          threadTs,
          text,
        }),
      );
      if (i === 100) slack.failNext('chat.postMessage', 2, 429, 1);
    }
    expect((await Promise.all(pushes)).every(Boolean)).toBe(true);
    await expect
      .poll(() => delivered('C0BURST').length, { timeout: 45_000, interval: 200 })
      .toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const texts = delivered('C0BURST').map((c) => String(c.body.text));
    expect(texts).toHaveLength(200);
    expect(new Set(texts).size).toBe(200);
    for (const thread of [...threads, 'top']) {
      const numbers = texts
        .filter((t) => t.startsWith(`${thread} `))
        .map((t) => Number(t.split('#')[1]));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    expect(
      slack.calls('chat.postMessage').filter((c) => c.status === 429).length,
    ).toBeGreaterThanOrEqual(2);
    const metrics = await rt.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/quorum_slack_rate_limited_total\{method="chat.postMessage"\} [1-9]/);
    expect(metrics).toMatch(
      /quorum_slack_calls_total\{method="chat.postMessage",outcome="ok"\} 200/,
    );
  }, 60_000);

  it('paces one channel to one message per interval', async () => {
    rt = await startTestRuntime(config, {
      prefix: uniquePrefix('pace'),
      outbox: { intervalMs: 300, concurrency: 4 },
    });
    for (let i = 0; i < 4; i++) {
      await rt.runtime.outbox.push({
        op: 'post',
        id: `pace-${i}`,
        channel: 'C0PACE',
        threadTs: `1700000000.00010${i}`,
        text: `p${i}`,
      });
    }
    await expect.poll(() => delivered('C0PACE').length, { timeout: 15_000 }).toBe(4);
    const at = delivered('C0PACE').map((c) => c.at);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(150);
  });

  it('coalesces progress edits of one message; the final edit is never replaced', async () => {
    rt = await startTestRuntime(config, {
      prefix: uniquePrefix('edit'),
      outbox: { intervalMs: 200, concurrency: 2 },
    });
    const root = await rt.deps.slack!.chat.postMessage({ channel: 'C0EDIT', text: 'started' });
    const ts = String(root.ts);
    const edits = [];
    for (let i = 0; i < 30; i++) {
      edits.push(
        rt.runtime.outbox.push({
          op: 'update',
          id: `e-${i}`,
          channel: 'C0EDIT',
          ts,
          text: `progress ${i}`,
          final: false,
        }),
      );
    }
    await Promise.all(edits);
    await rt.runtime.outbox.push({
      op: 'update',
      id: 'e-final',
      channel: 'C0EDIT',
      ts,
      text: 'done',
      final: true,
    });
    expect(
      await rt.runtime.outbox.push({
        op: 'update',
        id: 'e-late',
        channel: 'C0EDIT',
        ts,
        text: 'progress late',
        final: false,
      }),
    ).toBe(false);
    await expect.poll(() => slack.messages('C0EDIT')[0]?.text, { timeout: 10_000 }).toBe('done');
    await new Promise((r) => setTimeout(r, 600));
    expect(slack.messages('C0EDIT')[0]?.text).toBe('done');
    expect(
      slack.calls('chat.update').filter((c) => c.body.channel === 'C0EDIT').length,
    ).toBeLessThan(10);
  });

  it('retries 5xx answers and drops what Slack refuses for good, without blocking the thread', async () => {
    rt = await startTestRuntime(config, { prefix: uniquePrefix('errors') });
    slack.respond('chat.postMessage', (body) =>
      body.channel === 'C0GONE' ? { ok: false, error: 'channel_not_found' } : undefined,
    );
    slack.failNext('chat.postMessage', 2, 503);
    const thread = '1700000000.000900';
    await rt.runtime.outbox.push({
      op: 'post',
      id: 'x1',
      channel: 'C0ERR',
      threadTs: thread,
      text: 'first',
    });
    await rt.runtime.outbox.push({ op: 'post', id: 'x2', channel: 'C0GONE', text: 'lost' });
    await rt.runtime.outbox.push({
      op: 'post',
      id: 'x3',
      channel: 'C0ERR',
      threadTs: thread,
      text: 'second',
    });
    await expect
      .poll(() => delivered('C0ERR').map((c) => c.body.text), { timeout: 15_000 })
      .toEqual(['first', 'second']);
    await expect
      .poll(() => rt!.deps.metrics.registry.metrics(), { timeout: 5_000 })
      .toMatch(/quorum_outbox_dropped_total\{reason="channel_not_found"\} 1/);
    // Kept as a dead letter; no notice, since none could reach a channel that is not there.
    const letters = await readDeadLetters(rt.deps.redis, rt.runtime.outbox.prefix);
    expect(letters.map((l) => [l.id, l.code, l.noticed])).toEqual([
      ['x2', 'channel_not_found', false],
    ]);
    expect(delivered('C0GONE').map((c) => c.body.text)).toEqual(['lost']);
    slack.respond('chat.postMessage', () => undefined);
  });
});
