/**
 * The outbox adds a stream's drain job once per generation: pushes behind pending
 * messages add none (their drain takes them too), yet every message is delivered, in
 * order, once; a retried push still re-creates a drain that was lost. Real Redis and
 * BullMQ, the local Slack Web API.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { startRedis, type RedisServer } from '../support/index.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { startTestRuntime, testConfig, uniquePrefix, type TestRuntime } from '../e2e/harness.js';

let redis: RedisServer;
let slack: SlackApi;
let config: Config;
const open: TestRuntime[] = [];

beforeAll(async () => {
  [redis, slack] = await Promise.all([startRedis(), startSlackApi()]);
  config = testConfig(
    { clusters: [{ name: 'c1', etcd: { endpoints: ['http://127.0.0.1:9'] } }] },
    { REDIS_URL: redis.url, SLACK_API_URL: slack.url, SLACK_BOT_TOKEN: 'xoxb-test' },
  );
});

afterEach(async () => {
  for (const rt of open.splice(0).reverse()) await rt.close();
});

afterAll(async () => {
  await Promise.all([redis?.close(), slack?.close()]);
});

/** A process that only pushes (no consumer), and later one that delivers, on one prefix. */
async function producer(prefix: string) {
  const rt = await startTestRuntime(config, { prefix, outbox: false });
  open.push(rt);
  return rt;
}
async function consumer(prefix: string) {
  const rt = await startTestRuntime(config, { prefix, outbox: { intervalMs: 5, concurrency: 4 } });
  open.push(rt);
  return rt;
}

const texts = (channel: string) =>
  slack
    .calls('chat.postMessage')
    .filter((c) => c.status === 200 && c.body.channel === channel)
    .map((c) => String(c.body.text));

/** The adds BullMQ found to exist already: each one a wasted round trip and script. */
async function duplicatedAdds(rt: TestRuntime): Promise<number> {
  const events = await rt.deps.redis.xrange(rt.runtime.outbox.queue.toKey('events'), '-', '+');
  return events.filter(([, fields]) => fields[1] === 'duplicated').length;
}

describe('outbox drain jobs', () => {
  it('a burst into one thread adds one drain job, and all of it is delivered in order, once', async () => {
    const prefix = uniquePrefix('drain-once');
    const rt = await producer(prefix);
    const pushed = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        rt.runtime.outbox.push({
          op: 'post',
          id: `once-${i}`,
          channel: 'C0ONCE',
          threadTs: '1700000000.000001',
          text: `#${i}`,
        }),
      ),
    );
    expect(pushed.every(Boolean)).toBe(true);
    const queue = rt.runtime.outbox.queue;
    expect(await queue.getJobCountByTypes('waiting', 'delayed', 'active')).toBe(1);
    expect(await duplicatedAdds(rt)).toBe(0);
    await consumer(prefix);
    const all = Array.from({ length: 30 }, (_, i) => `#${i}`);
    await expect.poll(() => texts('C0ONCE'), { timeout: 15_000 }).toEqual(all);
    // A push after the drain emptied the stream gets a drain of the next generation.
    await rt.runtime.outbox.push({
      op: 'post',
      id: 'once-late',
      channel: 'C0ONCE',
      threadTs: '1700000000.000001',
      text: '#late',
    });
    await expect.poll(() => texts('C0ONCE'), { timeout: 15_000 }).toEqual([...all, '#late']);
  }, 40_000);

  it('a retried push re-creates a drain job that was lost, and its message is delivered once', async () => {
    const prefix = uniquePrefix('drain-lost');
    const rt = await producer(prefix);
    const message = {
      op: 'post' as const,
      id: 'lost-1',
      channel: 'C0LOST',
      threadTs: '1700000000.000002',
      text: 'after the loss',
    };
    expect(await rt.runtime.outbox.push(message)).toBe(true);
    const queue = rt.runtime.outbox.queue;
    // The loss: the drain job is gone (as if its pusher died before adding it).
    for (const job of await queue.getJobs(['waiting'])) await job.remove();
    expect(await queue.getJobCountByTypes('waiting', 'delayed')).toBe(0);
    // The job's retry pushes the same message again: not queued twice, the drain is back.
    expect(await rt.runtime.outbox.push(message)).toBe(false);
    expect(await queue.getJobCountByTypes('waiting', 'delayed')).toBe(1);
    await consumer(prefix);
    await expect.poll(() => texts('C0LOST'), { timeout: 15_000 }).toEqual(['after the loss']);
  }, 40_000);
});
