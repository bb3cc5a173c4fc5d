/**
 * The sweeper: one BullMQ job scheduler (`sweep`, every `intervalMs`) whose jobs run
 * app/sweep.ts's SWEEPS. The scheduler lives in Redis and makes one job per interval,
 * so however many bots and workers start a sweeper, each interval is swept once (by
 * whichever process takes the job). Every process that starts the runtime starts one.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ApprovalDecisionListener } from '../../app/approvals/deps.js';
import { runSweeps, type SweepDeps } from '../../app/sweep.js';
import type { Logger } from '../../domain/logger.js';
import type { OutboxWriter } from '../../domain/outbox-message.js';
import { approvalStore } from '../../state/approvals.js';
import { jobSink } from './enqueue.js';
import type { JobQueues } from './queues.js';

export const SWEEP_QUEUE = 'sweeps';
export const DEFAULT_SWEEP_INTERVAL_MS = 5_000;

export interface SweeperOptions {
  /** Shared (BullMQ duplicates it for the worker's blocking reads); owned by the caller. */
  connection: Redis;
  prefix: string;
  queues: JobQueues;
  outbox: OutboxWriter;
  /** The runbook engine: told of the action steps' decisions. */
  runbooks?: ApprovalDecisionListener;
  logger: Logger;
  intervalMs?: number;
  /** Approved jobs not queued after this long are queued by the sweep (INTENT_GRACE_MS). */
  intentGraceMs?: number;
}

export interface Sweeper {
  queue: Queue;
  close(): Promise<void>;
}

export async function startSweeper(opts: SweeperOptions): Promise<Sweeper> {
  const { connection, prefix, logger } = opts;
  const deps: SweepDeps = {
    approvals: approvalStore({ redis: connection, prefix }),
    jobs: jobSink(opts.queues),
    outbox: opts.outbox,
    redis: connection,
    prefix,
    logger,
    ...(opts.runbooks ? { runbooks: opts.runbooks } : {}),
    ...(opts.intentGraceMs !== undefined ? { intentGraceMs: opts.intentGraceMs } : {}),
  };
  const queue = new Queue(SWEEP_QUEUE, { connection, prefix });
  queue.on('error', () => undefined);
  const worker = new Worker(SWEEP_QUEUE, () => runSweeps(deps), {
    connection,
    prefix,
    concurrency: 1,
  });
  worker.on('error', (err) => logger.warn({ err }, 'sweeper error'));
  const close = async () => {
    await worker.close();
    await queue.close();
  };
  try {
    await queue.upsertJobScheduler(
      'sweep',
      { every: opts.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS },
      { name: 'sweep', opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } } },
    );
  } catch (err) {
    await close();
    throw err;
  }
  return { queue, close };
}
