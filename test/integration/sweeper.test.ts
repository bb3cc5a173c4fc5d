/**
 * The sweeper runs the sweeps once per interval however many processes start one: a
 * BullMQ job scheduler in real Redis makes one job per slot, and whichever sweeper's
 * worker takes it runs app/sweep.ts's SWEEPS.
 */
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWEEPS } from '../../src/app/sweep.js';
import { silentLogger } from '../../src/domain/logger.js';
import { Outbox } from '../../src/transport/queue/outbox.js';
import { JobQueues } from '../../src/transport/queue/queues.js';
import { SWEEP_QUEUE, startSweeper, type Sweeper } from '../../src/transport/queue/sweeper.js';
import { startRedis, type RedisServer } from '../support/index.js';
import { uniquePrefix } from '../e2e/harness.js';

let redis: RedisServer;
const clients: Redis[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis?.close();
});

const connect = () => {
  const c = new Redis(redis.url, { maxRetriesPerRequest: null });
  clients.push(c);
  return c;
};

describe('the sweeper', () => {
  it('three processes sweep each interval once between them', async () => {
    const prefix = uniquePrefix('sweeper');
    const events = new QueueEvents(SWEEP_QUEUE, { connection: connect(), prefix });
    const done: { id: string; result: unknown }[] = [];
    events.on(
      'completed',
      ({ jobId, returnvalue }) => void done.push({ id: jobId, result: returnvalue }),
    );
    await events.waitUntilReady();
    const sweepers: Sweeper[] = [];
    const parts: { close(): Promise<void> }[] = [events];
    try {
      for (let i = 0; i < 3; i += 1) {
        const connection = connect();
        const queues = new JobQueues({ connection, clusters: [], prefix });
        const outbox = new Outbox(connection, prefix);
        parts.push(queues, outbox);
        const opts = { connection, prefix, queues, outbox, logger: silentLogger, intervalMs: 200 };
        sweepers.push(await startSweeper(opts));
      }
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 2_000));
      const elapsed = Date.now() - started;
      expect(new Set(done.map((d) => d.id)).size).toBe(done.length);
      // One job per 200 ms slot (not three): generous bounds for a busy machine.
      expect(done.length).toBeGreaterThanOrEqual(3);
      expect(done.length).toBeLessThanOrEqual(Math.ceil(elapsed / 200) + 2);
      const result = done[0]!.result as Record<string, unknown>;
      expect(Object.keys(result)).toEqual(SWEEPS.map((sweep) => sweep.name));
      expect(result).toMatchObject({ 'approval-intents': 0, 'approval-expiry': 0 });
      expect(await sweepers[0]!.queue.getJobSchedulersCount()).toBe(1);
    } finally {
      for (const s of sweepers) await s.close();
      for (const p of parts.reverse()) await p.close();
    }
  });
});
