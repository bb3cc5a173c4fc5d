/**
 * Fair, ordered delivery in one channel (issue 17, part 1): two outbox consumers (two
 * replicas, concurrency 8 each) on one real Redis, real BullMQ, the Slack Web API test
 * server recording when each call arrived. The channel's streams take turns first come,
 * first served and round-robin (no thread starves), each thread stays in order, the
 * channel's pacing holds, an urgent root edit goes before the chatter waiting in the
 * channel, successive edits still coalesce, and a turn whose drain vanished holds the
 * channel no longer than the stale bound.
 */
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { streamOf } from '../../src/domain/outbox-message.js';
import { createRedis } from '../../src/runtime-deps.js';
import { turnKeys } from '../../src/state/outbox-keys.js';
import { createMetrics } from '../../src/transport/http/metrics.js';
import {
  startOutboxConsumer,
  type OutboxConsumer,
} from '../../src/transport/queue/outbox-consumer.js';
import { TURN } from '../../src/transport/queue/outbox-scripts.js';
import { Outbox } from '../../src/transport/queue/outbox.js';
import { createSlackWebClient, type WebClient } from '../../src/transport/slack/web-client.js';
import { startRedis, waitFor, type RedisServer } from '../support/index.js';
import { startSlackApi, type SlackApi, type SlackApiCall } from '../support/slack-api.js';
import { testLogger, uniquePrefix } from '../e2e/harness.js';

const INTERVAL = 100;
/**
 * How much earlier than paced a call may arrive: turns are granted on Redis' clock, and
 * a call can reach Slack late by the client's event loop (seen up to ~45 ms when other
 * test files run beside this one), which makes the gap after it look short.
 */
const SLACK_MS = 50;

let redis: RedisServer;
let slack: SlackApi;
let rig: Rig | undefined;

interface Rig {
  prefix: string;
  outbox: Outbox;
  producer: Redis;
  client: WebClient;
  close(): Promise<void>;
}

beforeAll(async () => {
  [redis, slack] = await Promise.all([startRedis(), startSlackApi()]);
});

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

afterAll(async () => {
  await Promise.all([redis?.close(), slack?.close()]);
});

/** A producer and two consumers, each on its own connection, as separate replicas would be. */
async function startRig(what: string, staleTurnMs?: number): Promise<Rig> {
  const prefix = uniquePrefix(what);
  const logger = testLogger();
  const producer = createRedis(redis.url, logger);
  const client = createSlackWebClient({ token: 'xoxb-test', apiUrl: slack.url, logger });
  const connections = [createRedis(redis.url, logger), createRedis(redis.url, logger)];
  const consumers: OutboxConsumer[] = connections.map((connection) =>
    startOutboxConsumer({
      connection,
      prefix,
      slack: client,
      intervalMs: INTERVAL,
      concurrency: 8,
      metrics: createMetrics({ defaultMetrics: false }),
      logger,
      ...(staleTurnMs ? { staleTurnMs } : {}),
    }),
  );
  const outbox = new Outbox(producer, prefix);
  // The client's first call opens its connection: warm it, so arrival times are the pacing's.
  await client.auth.test();
  return {
    prefix,
    outbox,
    producer,
    client,
    close: async () => {
      await Promise.all(consumers.map((c) => c.close()));
      await outbox.close();
      await Promise.all([producer, ...connections].map((c) => c.quit()));
    },
  };
}

/** Waits until what the Slack test server recorded satisfies `check`. */
const seen = (check: () => boolean, opts: Parameters<typeof waitFor>[1]) =>
  waitFor(() => Promise.resolve(check()), opts);

/** Every call that reached Slack in `channel`, in arrival order. */
const arrived = (channel: string): SlackApiCall[] =>
  slack
    .calls()
    .filter((c) => c.status === 200 && c.body.channel === channel)
    .filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');

const threadTs = (t: number) => `1700000000.00${String(t).padStart(4, '0')}`;

/** Pushes `perThread` posts into each of `threads` threads, interleaved (post k of every thread). */
async function chatter(r: Rig, channel: string, threads: number, perThread: number) {
  for (let k = 0; k < perThread; k++) {
    for (let t = 0; t < threads; t++) {
      await r.outbox.push({
        op: 'post',
        id: `${channel}-t${t}-${k}`,
        channel,
        threadTs: threadTs(t),
        text: `t${t} #${k}`,
      });
    }
  }
}

/** A root message already in the channel (its ts known), as an incident root is. */
async function root(r: Rig, channel: string, text: string): Promise<string> {
  const res = await r.client.chat.postMessage({ channel, text });
  return String(res.ts);
}

const edit = (channel: string, ts: string, id: string, text: string, urgent = true) => ({
  op: 'update' as const,
  id,
  channel,
  ts,
  text,
  final: false,
  ...(urgent ? { urgent } : {}),
});

/**
 * No more calls in any stretch of time than the pacing allows: k calls span at least
 * k-1 intervals. Returns the shortest gap between two calls.
 */
function expectPaced(calls: SlackApiCall[]): number {
  for (let i = 0; i < calls.length; i++) {
    for (let j = i + 1; j < calls.length; j++) {
      expect(calls[j]!.at - calls[i]!.at).toBeGreaterThanOrEqual((j - i) * INTERVAL - SLACK_MS);
    }
  }
  return Math.min(...calls.slice(1).map((c, i) => c.at - calls[i]!.at));
}

describe('fair delivery in one channel', () => {
  it('serves six threads round-robin, each in order, the channel paced', async () => {
    rig = await startRig('fair');
    const threads = 6;
    await chatter(rig, 'C0FAIR', threads, 5);
    await seen(() => arrived('C0FAIR').length === 30, {
      what: 'all 30 posts',
      timeoutMs: 20_000,
    });
    const calls = arrived('C0FAIR');
    const threadOf = (c: SlackApiCall) => String(c.body.thread_ts);
    const shortest = expectPaced(calls);
    let maxGapMs = 0;
    let maxBetween = 0;
    for (let t = 0; t < threads; t++) {
      const mine = calls.flatMap((c, i) => (threadOf(c) === threadTs(t) ? [i] : []));
      // In order within the thread.
      expect(mine.map((i) => calls[i]!.body.text)).toEqual(
        [0, 1, 2, 3, 4].map((k) => `t${t} #${k}`),
      );
      for (let j = 1; j < mine.length; j++) {
        maxBetween = Math.max(maxBetween, mine[j]! - mine[j - 1]! - 1);
        maxGapMs = Math.max(maxGapMs, calls[mine[j]!]!.at - calls[mine[j - 1]!]!.at);
      }
    }
    console.log(
      `fair: max gap between a thread's deliveries ${maxGapMs} ms (${maxBetween} others between), shortest gap in the channel ${shortest} ms`,
    );
    // Round-robin: between two of a thread's messages, each other thread sends at most one.
    expect(maxBetween).toBeLessThanOrEqual(threads - 1);
    expect(maxGapMs).toBeLessThanOrEqual((threads + 1) * INTERVAL * 1.5);
  }, 30_000);

  it('an urgent root edit goes before the 40 chatter posts waiting in its channel', async () => {
    rig = await startRig('urgent');
    const roots = await Promise.all([0, 1, 2].map((i) => root(rig!, 'C0URGENT', `root ${i}`)));
    await chatter(rig, 'C0URGENT', 8, 5);
    await seen(() => arrived('C0URGENT').length >= 3 + 4, {
      what: 'the chatter to be under way',
    });
    const latencies: number[] = [];
    for (const [i, ts] of roots.entries()) {
      const pushedAt = Date.now();
      await rig.outbox.push(edit('C0URGENT', ts, `resolved-${i}`, `resolved ${i}`));
      await seen(() => arrived('C0URGENT').some((c) => c.body.text === `resolved ${i}`), {
        what: `the urgent edit of root ${i}`,
      });
      const call = arrived('C0URGENT').find((c) => c.body.text === `resolved ${i}`)!;
      latencies.push(call.at - pushedAt);
      // The chatter was still waiting: the edit went before it.
      expect(
        arrived('C0URGENT').filter((c) => c.method === 'chat.postMessage').length,
      ).toBeLessThan(3 + 40);
    }
    console.log(`urgent: root edit latencies ${latencies.join(', ')} ms`);
    for (const ms of latencies) expect(ms).toBeLessThanOrEqual(2 * INTERVAL + 50);
    await seen(() => arrived('C0URGENT').length === 3 + 40 + 3, {
      what: 'the chatter to be delivered',
      timeoutMs: 15_000,
    });
    expectPaced(arrived('C0URGENT').slice(3));
  }, 30_000);

  it('coalesces successive edits of one root, and an urgent edit wakes one queued behind chatter', async () => {
    rig = await startRig('coalesce');
    const ts = await root(rig, 'C0EDITS', 'firing');
    await chatter(rig, 'C0EDITS', 6, 5);
    // A non-urgent edit queues for its turn behind the chatter …
    await rig.outbox.push(edit('C0EDITS', ts, 'v0', 'changed', false));
    const keys = turnKeys(rig.prefix, 'C0EDITS');
    const p = rig.producer;
    const stream = streamOf(edit('C0EDITS', ts, 'v0', 'changed', false));
    await waitFor(async () => (await p.zrank(keys.queue, stream)) !== null, {
      what: 'the edit to wait for its turn',
    });
    const urgentAt = Date.now();
    // … then five urgent edits come quickly: only the newest needs to be sent, and soon.
    for (let i = 1; i <= 5; i++) {
      await rig.outbox.push(edit('C0EDITS', ts, `v${i}`, `state ${i}`));
    }
    await seen(() => slack.messages('C0EDITS')[0]?.text === 'state 5', {
      what: 'the newest edit',
    });
    const updates = arrived('C0EDITS').filter((c) => c.method === 'chat.update');
    console.log(
      updates.map((u) => `${String(u.body.text)}@${u.at - urgentAt}`).join(' '),
      `coalesce: ${updates.length} chat.update, newest after ${updates.at(-1)!.at - urgentAt} ms`,
    );
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(2);
    expect(updates.at(-1)!.body.text).toBe('state 5');
    expect(updates.at(-1)!.at - urgentAt).toBeLessThanOrEqual(2 * INTERVAL + 50);
    await seen(() => arrived('C0EDITS').length === 1 + 30 + updates.length, {
      what: 'the chatter',
      timeoutMs: 15_000,
    });
    expect(arrived('C0EDITS').filter((c) => c.method === 'chat.update')).toHaveLength(
      updates.length,
    );
  }, 30_000);

  it('a turn whose drain vanished holds the channel no longer than the stale bound', async () => {
    const stale = 1_500;
    rig = await startRig('vanished', stale);
    const keys = turnKeys(rig.prefix, 'C0GHOST');
    // What a drain does when it asks for a turn (outbox-turns.ts), by hand.
    const ask = async (stream: string) =>
      (
        (await rig!.producer.eval(
          TURN,
          4,
          keys.queue,
          keys.alive,
          keys.ticket,
          keys.pace,
          stream,
          1,
          INTERVAL,
          stale,
          60_000,
        )) as number[]
      )[0];
    // A drain took a turn, asked for the next one and died: its entry stays at the head.
    expect(await ask('post.C0GHOST.ghost')).toBe(0);
    expect(await ask('post.C0GHOST.ghost')).toBeGreaterThan(0);
    const plantedAt = Date.now();
    await chatter(rig, 'C0GHOST', 2, 2);
    await seen(() => arrived('C0GHOST').length === 4, {
      what: 'the posts behind the vanished turn',
      timeoutMs: stale + 3_000,
    });
    const calls = arrived('C0GHOST');
    console.log(
      `vanished: first post after ${calls[0]!.at - plantedAt} ms (stale bound ${stale} ms)`,
    );
    expect(calls[0]!.at - plantedAt).toBeLessThanOrEqual(stale + 4 * INTERVAL);
    expectPaced(calls);
    expect(await rig.producer.zrank(keys.queue, 'post.C0GHOST.ghost')).toBeNull();
  }, 15_000);
});
