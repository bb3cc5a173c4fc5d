/**
 * The Redis client the runtime builds (runtime-deps.ts createRedis, and the copies
 * BullMQ makes of it with duplicate()) closes without waiting on Redis, against a real
 * redis-server that is killed or frozen between the steps: disconnect() between two
 * reconnect attempts ends the client; a command written before Redis went away is
 * settled when the client ends; quit() on a frozen Redis returns.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/domain/logger.js';
import { createRedis } from '../../src/runtime-deps.js';
import { startRestartableRedis, type RestartableRedis } from '../support/restartable-redis.js';

/** Generous: each of these settles in milliseconds, or never. */
const SETTLE_MS = 3_000;

let redis: RestartableRedis;
const clients: Redis[] = [];

beforeAll(async () => {
  redis = await startRestartableRedis();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  redis.thaw();
  if (!redis.up) await redis.restart();
});

afterAll(async () => {
  await redis?.close();
});

async function readyClient(duplicate = false): Promise<Redis> {
  const base = createRedis(redis.url, silentLogger);
  clients.push(base);
  const c = duplicate ? base.duplicate() : base;
  if (duplicate) clients.push(c);
  c.on('error', () => undefined);
  await c.ping();
  return c;
}

/** How `p` settled within SETTLE_MS: its value, its error's message, or 'pending'. */
async function settled(p: Promise<unknown>): Promise<string> {
  const outcome = p.then(
    (v) => `resolved ${String(v)}`,
    (e: unknown) => `rejected ${(e as Error).message}`,
  );
  return Promise.race([outcome, sleep(SETTLE_MS, 'pending')]);
}

async function reconnecting(c: Redis): Promise<void> {
  await redis.kill();
  if (c.status !== 'reconnecting') await once(c, 'reconnecting');
}

describe('the runtime’s Redis client, closing', () => {
  it.each([false, true])(
    'disconnect() between two reconnect attempts ends the client and settles queued commands (duplicate: %s)',
    async (duplicate) => {
      const c = await readyClient(duplicate);
      await reconnecting(c);
      const queued = c.get('quorum-test');
      const ended = once(c, 'end').then(() => 'ended');
      c.disconnect();
      expect(await settled(ended)).toBe('resolved ended');
      expect(await settled(queued)).toBe('rejected Connection is closed.');
      expect(c.status).toBe('end');
    },
  );

  it('a blocking command written before Redis went away is settled when the client ends', async () => {
    const c = await readyClient(true);
    const blocked = c.bzpopmin('quorum-test-marker', 0);
    await sleep(50);
    await reconnecting(c);
    c.disconnect();
    expect(await settled(blocked)).toBe('rejected Connection is closed.');
  });

  it('quit() returns when Redis is frozen, and the client then ends', async () => {
    const c = await readyClient();
    redis.freeze();
    const ended = once(c, 'end').then(() => 'ended');
    expect(await settled(c.quit())).toBe('resolved OK');
    expect(await settled(ended)).toBe('resolved ended');
  });
});
