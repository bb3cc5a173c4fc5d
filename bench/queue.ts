/**
 * `npm run bench:queue`: 10,000 trivial jobs end to end through Quorum's runtime —
 * idempotent enqueue, catalogue check, the handler, the result pushed to the Slack
 * outbox — against bare BullMQ (add, a no-op processor) in the same run, on one
 * throwaway Redis, alternating. Prints jobs/s of both and the overhead ratio.
 *
 *   BENCH_JOBS=10000 BENCH_RUNS=3 BENCH_CONCURRENCY=50 npm run bench:queue
 *
 * BENCH_SIDE=quorum (or bare) runs one side only, e.g. under `node --cpu-prof`.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/domain/logger.js';
import { createMetrics } from '../src/transport/http/metrics.js';
import { enqueueJob } from '../src/transport/queue/enqueue.js';
import { startRuntime } from '../src/transport/queue/runtime.js';
import { startRedis } from '../test/support/redis.js';
import { median } from './peak-rss.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
/** Adds in flight at once, on both sides. */
const PRODUCERS = 50;
const SIDE = process.env.BENCH_SIDE;

async function inParallel(n: number, add: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < n; i = next++) await add(i);
  };
  await Promise.all(Array.from({ length: PRODUCERS }, lane));
}

async function untilCompleted(queue: Queue, n: number): Promise<void> {
  for (;;) {
    const { completed = 0, failed = 0 } = await queue.getJobCounts('completed', 'failed');
    if (failed > 0) throw new Error(`${failed} job(s) failed`);
    if (completed >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function bare(redisUrl: string, run: number): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `bare${run}`;
  const queue = new Queue('bench', { connection, prefix });
  const worker = new Worker('bench', () => Promise.resolve({ ok: true }), {
    connection,
    prefix,
    concurrency: CONCURRENCY,
  });
  await worker.waitUntilReady();
  const started = performance.now();
  await inParallel(JOBS, (i) => queue.add('noop', { i }, { removeOnComplete: { age: 3600 } }));
  await untilCompleted(queue, JOBS);
  const ms = performance.now() - started;
  await worker.close();
  await queue.close();
  connection.disconnect();
  return (JOBS / ms) * 1000;
}

async function quorum(redisUrl: string, run: number): Promise<number> {
  const config = loadConfig({ REDIS_URL: redisUrl, QUORUM_CLUSTER: 'bench', LOG_LEVEL: 'silent' });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const runtime = await startRuntime(
    config,
    {
      redis,
      metrics: createMetrics({ defaultMetrics: false }),
      logger: silentLogger,
      stdout: () => undefined,
      etcdConnector: () => () => {
        throw new Error('the ping job needs no etcd');
      },
      kubeConnector: () => {
        throw new Error('the ping job needs no Kubernetes API');
      },
    },
    {
      clusters: ['bench'],
      concurrency: CONCURRENCY,
      prefix: `quorum${run}`,
      http: false,
      outbox: false,
    },
  );
  const started = performance.now();
  await inParallel(JOBS, (i) =>
    enqueueJob(runtime.queues, {
      kind: 'quorum.ping',
      cluster: 'bench',
      requestId: `bench-${run}-${i}`,
      requestedBy: 'bench',
      target: {
        kind: 'slack',
        channel: `C0BENCH${i % 20}`,
        threadTs: `1700000000.${String(i).padStart(6, '0')}`,
      },
    }),
  );
  await untilCompleted(runtime.queues.queue('bench'), JOBS);
  const ms = performance.now() - started;
  const outboxed = await runtime.outbox.queue.getJobCountByTypes('waiting', 'delayed');
  await runtime.close();
  redis.disconnect();
  if (outboxed < JOBS) throw new Error(`only ${outboxed} of ${JOBS} results reached the outbox`);
  return (JOBS / ms) * 1000;
}

async function main() {
  const redis = await startRedis();
  const b: number[] = [];
  const q: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      if (SIDE !== 'quorum') b.push(await bare(redis.url, run));
      if (SIDE !== 'bare') q.push(await quorum(redis.url, run));
      console.log(
        `run ${run + 1}: bare BullMQ ${b.at(-1)?.toFixed(0) ?? '-'} jobs/s, Quorum ${q.at(-1)?.toFixed(0) ?? '-'} jobs/s`,
      );
    }
  } finally {
    await redis.close();
  }
  if (SIDE) return;
  const [bm, qm] = [median(b), median(q)];
  console.log(
    `\nQueue benchmark: ${JOBS} jobs per run, ${RUNS} alternating runs per side, worker concurrency ${CONCURRENCY}, ${PRODUCERS} adds in flight; medians.`,
  );
  console.log('| side | jobs/s |');
  console.log('| --- | --- |');
  console.log(`| bare BullMQ (add → no-op → completed) | ${bm.toFixed(0)} |`);
  console.log(
    `| Quorum (enqueue → ping handler → result in the outbox → completed) | ${qm.toFixed(0)} |`,
  );
  console.log(`overhead: Quorum takes ${(bm / qm).toFixed(2)}× the time of bare BullMQ per job`);
}

await main();
