/**
 * Schedules with BullMQ job schedulers against real Redis and etcd: with two workers
 * a schedule runs once per interval; schedules can be listed, changed (to cron, in
 * UTC) and removed; the config file's schedules are applied at start, idempotently,
 * and removed from Redis when removed from the file.
 */
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/domain/logger.js';
import {
  applyConfiguredSchedules,
  listSchedules,
  removeSchedule,
  setSchedule,
} from '../../src/transport/queue/schedules.js';
import { startEtcd, startRedis, type EtcdCluster, type RedisServer } from '../support/index.js';
import { startTestRuntime, testConfig, uniquePrefix, type TestRuntime } from '../e2e/harness.js';

let redis: RedisServer;
let etcd: EtcdCluster;
let config: Config;
const runtimes: TestRuntime[] = [];

beforeAll(async () => {
  [redis, etcd] = await Promise.all([startRedis(), startEtcd()]);
  config = testConfig(
    { clusters: [{ name: 'c1', etcd: { endpoints: etcd.endpoints } }] },
    { REDIS_URL: redis.url },
  );
});

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await Promise.all([redis?.close(), etcd?.close()]);
});

describe('schedules', () => {
  it('run once per interval with two workers; list, change to cron, remove', async () => {
    const prefix = uniquePrefix('sched');
    const [a, b] = await Promise.all(
      [1, 2].map(() => startTestRuntime(config, { prefix, clusters: ['c1'], concurrency: 2 })),
    );
    runtimes.push(a!, b!);
    const queues = a!.runtime.queues;
    await setSchedule(queues, 'c1', 'etcd.check', { every: 1_000, target: { kind: 'terminal' } });
    // Both workers also set it at the same time: still one scheduler, one job per slot.
    await setSchedule(b!.runtime.queues, 'c1', 'etcd.check', {
      every: 1_000,
      target: { kind: 'terminal' },
    });
    expect(await listSchedules(queues, 'c1')).toEqual([
      expect.objectContaining({ kind: 'etcd.check', every: 1_000, target: { kind: 'terminal' } }),
    ]);
    await new Promise((r) => setTimeout(r, 4_500));
    await setSchedule(queues, 'c1', 'etcd.check', {
      cron: '0 0 * * *',
      target: { kind: 'terminal' },
    });
    const [changed] = await listSchedules(queues, 'c1');
    expect(changed).toMatchObject({ kind: 'etcd.check', cron: '0 0 * * *' });
    expect(changed!.next!.toISOString()).toMatch(/T00:00:00\.000Z$/); // midnight UTC
    expect(await removeSchedule(queues, 'c1', 'etcd.check')).toBe(true);
    expect(await listSchedules(queues, 'c1')).toEqual([]);
    await new Promise((r) => setTimeout(r, 500)); // let a run in flight finish

    const done: Job[] = await queues.queue('c1').getJobs(['completed', 'active', 'failed']);
    const runs = done.filter((j) => j.id?.startsWith('repeat:etcd.check:'));
    const slots = runs.map((j) => Number(j.id!.split(':').pop())).sort((x, y) => x - y);
    expect(slots.length).toBeGreaterThanOrEqual(2);
    expect(slots.length).toBeLessThanOrEqual(6);
    // Slots are whole intervals apart (one skipped only if a run started late): never two in one.
    for (let i = 1; i < slots.length; i++) {
      expect((slots[i]! - slots[i - 1]!) % 1_000).toBe(0);
      expect(slots[i]! - slots[i - 1]!).toBeGreaterThanOrEqual(1_000);
    }
    // Each slot's check ran once, on one of the two workers.
    const printed = [...a!.stdout, ...b!.stdout].filter((t) => t.includes('etcd check of c1'));
    expect(printed).toHaveLength(runs.length);
    expect(a!.stdout.length + b!.stdout.length).toBe(runs.length);
  }, 30_000);

  it("applies the config file's schedules at start, idempotently; removes them when the file drops them", async () => {
    const withSchedules = testConfig(
      {
        clusters: [{ name: 'c1', etcd: { endpoints: etcd.endpoints } }],
        schedules: {
          c1: { snapshot: { every: '6h', channel: 'C0SNAP' }, check: { cron: '*/15 * * * *' } },
        },
      },
      { REDIS_URL: redis.url },
    );
    const rt = await startTestRuntime(withSchedules, {
      prefix: uniquePrefix('cfg'),
      clusters: ['c1'],
      schedules: true,
    });
    runtimes.push(rt);
    const queues = rt.runtime.queues;
    const listed = await listSchedules(queues, 'c1');
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'etcd.snapshot',
          every: 6 * 3_600_000,
          source: 'config',
          target: { kind: 'slack', channel: 'C0SNAP' },
        }),
        expect.objectContaining({
          kind: 'etcd.check',
          cron: '*/15 * * * *',
          source: 'config',
          target: { kind: 'terminal' },
        }),
      ]),
    );
    expect(await applyConfiguredSchedules(queues, withSchedules, ['c1'], silentLogger)).toEqual([]);
    // A schedule set from Slack survives a config that does not mention it.
    await setSchedule(queues, 'c1', 'etcd.check', {
      every: 3_600_000,
      target: { kind: 'terminal' },
      source: 'slack',
    });
    const changes = await applyConfiguredSchedules(queues, config, ['c1'], silentLogger);
    expect(changes).toEqual(['c1: etcd.snapshot removed']);
    expect(await listSchedules(queues, 'c1')).toEqual([
      expect.objectContaining({ kind: 'etcd.check', source: 'slack' }),
    ]);
  });

  it('refuses a config schedule for an unknown cluster, or with both every and cron', () => {
    expect(() =>
      testConfig({
        clusters: [{ name: 'c1', etcd: { endpoints: etcd.endpoints } }],
        schedules: { prod: { check: { every: '1h' } } },
      }),
    ).toThrow(/schedules\.prod: "prod" is not a configured cluster/);
    expect(() =>
      testConfig({
        clusters: [{ name: 'c1', etcd: { endpoints: etcd.endpoints } }],
        schedules: { c1: { snapshot: { every: '1h', cron: '0 * * * *' } } },
      }),
    ).toThrow(/needs exactly one of every/);
  });
});
