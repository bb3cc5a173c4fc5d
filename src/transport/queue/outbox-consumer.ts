/**
 * The outbox consumer: drains streams of Slack messages (outbox.ts) through the
 * WebClient. One drain job per stream at a time keeps a thread in order; a channel's
 * next-allowed time in Redis paces it to about one message per `intervalMs`, and a
 * drain that must wait is delayed in BullMQ rather than holding a worker slot. A 429
 * is waited out by the WebClient itself; a transient failure (5xx, network, timeout)
 * delays the drain with backoff — until the message is `retryLimitMs` old, when it is
 * given up like a permanent refusal (HTTP 4xx, `invalid_blocks`, `channel_not_found` …):
 * dead-lettered with a notice in its thread (outbox-dead-letter.ts), so one bad message
 * never holds back the messages behind it. Delivery is at least once: a consumer killed
 * between Slack's answer and the list trim sends that one message again.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../domain/logger.js';
import { isEditStream } from '../../domain/outbox-message.js';
import { outboxKeys, paceKey } from '../../state/outbox-keys.js';
import type { RuntimeMetrics } from '../http/metrics.js';
import type { WebClient } from '../slack/web-client.js';
import { OUTBOX_QUEUE } from './names.js';
import type { SlackFailure } from '../slack/slack-failure.js';
import { deadLetter, type QueuedMessage } from './outbox-dead-letter.js';
import { deliver } from './outbox-deliver.js';
import { resolveRef } from './outbox-refs.js';
import { FINISH, PACE, TAKE } from './outbox-scripts.js';
import { Outbox, type DrainJobData } from './outbox.js';

export interface OutboxConsumerOptions {
  connection: Redis;
  prefix: string;
  slack: WebClient;
  /** Minimum ms between two messages to one channel (Slack allows about one a second). */
  intervalMs: number;
  concurrency: number;
  /** Period of the sweep that re-creates lost drain jobs. */
  sweepEveryMs?: number;
  metrics: RuntimeMetrics;
  logger: Logger;
  /**
   * A message still failing transiently this long after it was pushed is dead-lettered
   * (`slack.deliveryRetryLimit`; default 15 minutes).
   */
  retryLimitMs?: number;
}

export interface OutboxConsumer {
  close(): Promise<void>;
}

/** Waits shorter than this are slept in place; longer ones delay the job. */
const SLEEP_IN_PLACE_MS = 50;
/** How often a message waiting for its ref's root to be posted looks again. */
const REF_POLL_MS = 250;
export const DEFAULT_RETRY_LIMIT_MS = 15 * 60_000;

interface DrainContext extends OutboxConsumerOptions {
  outbox: Outbox;
  retryLimitMs: number;
}

export function startOutboxConsumer(opts: OutboxConsumerOptions): OutboxConsumer {
  const outbox = new Outbox(opts.connection, opts.prefix);
  const ctx: DrainContext = {
    ...opts,
    outbox,
    retryLimitMs: opts.retryLimitMs ?? DEFAULT_RETRY_LIMIT_MS,
  };
  const worker = new Worker<DrainJobData, string, 'drain'>(
    OUTBOX_QUEUE,
    (job, token) => drain(job, token, ctx),
    { connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency },
  );
  worker.on('error', (err) => opts.logger.warn({ err }, 'outbox worker error'));
  const sweep = () =>
    outbox.sweep().catch((err: unknown) => opts.logger.warn({ err }, 'outbox sweep failed'));
  void sweep();
  const timer = setInterval(() => void sweep(), opts.sweepEveryMs ?? 60_000);
  return {
    close: async () => {
      clearInterval(timer);
      await worker.close(opts.connection.status !== 'ready');
      await outbox.close();
    },
  };
}

async function drain(
  job: Job<DrainJobData, string, 'drain'>,
  token: string | undefined,
  ctx: DrainContext,
): Promise<string> {
  const { stream, gen } = job.data;
  const keys = outboxKeys(ctx.prefix, stream);
  const redis = ctx.connection;
  for (;;) {
    const taken = (await redis.eval(
      TAKE,
      2,
      keys.list,
      keys.gen,
      isEditStream(stream) ? 'edit' : 'post',
      gen,
    )) as [number, string?];
    if (taken[0] === -1) return 'stale';
    if (taken[0] === 0) {
      if (Number(await redis.eval(FINISH, 2, keys.list, keys.gen)) === 1) return 'drained';
      continue;
    }
    const [count, json = '{}'] = taken;
    const queued = JSON.parse(json) as QueuedMessage;
    // Where a message given up on is found again: a post stream's head, an edit stream's newest.
    const index = isEditStream(stream) ? count - 1 : 0;
    const burial = { stream, list: keys.list, taken: json, count, index, expired: false };
    const resolved = await resolveRef(redis, ctx.prefix, queued);
    if (resolved.state === 'waiting') return later(job, token, REF_POLL_MS, job.data.failures);
    if (resolved.state === 'lost') {
      await deadLetter(ctx, {
        ...burial,
        message: queued,
        method: 'none',
        code: 'ref_never_posted',
      });
      continue;
    }
    const message = resolved.message as QueuedMessage;
    const wait = await paced(ctx, message.channel);
    if (wait > 0) return later(job, token, wait, job.data.failures);
    const result = await deliver(message, ctx);
    if (!result.ok) {
      const { failure } = result;
      // Transient failures are retried until the message is retryLimitMs old, then given up.
      const expired = failure.kind === 'transient';
      const age = Date.now() - (queued.at ?? Date.now());
      if (expired && age <= ctx.retryLimitMs) return retry(job, token, ctx, result);
      await deadLetter(ctx, { ...burial, message, method: result.method, ...failure, expired });
    } else {
      await redis.ltrim(keys.list, count, -1);
    }
    if (job.data.failures) await job.updateData({ stream, gen });
  }
}

/** Takes the channel's next slot: 0 when taken, else the ms to wait (short waits slept here). */
async function paced(ctx: DrainContext, channel: string): Promise<number> {
  const take = async () =>
    Number(await ctx.connection.eval(PACE, 1, paceKey(ctx.prefix, channel), ctx.intervalMs));
  let wait = await take();
  while (wait > 0 && wait <= SLEEP_IN_PLACE_MS) {
    await sleep(wait);
    wait = await take();
  }
  return wait;
}

/** A transient failure: back off (at least a 429's Retry-After) and try the message again. */
function retry(
  job: Job<DrainJobData, string, 'drain'>,
  token: string | undefined,
  ctx: DrainContext,
  result: { method: string; failure: SlackFailure },
): Promise<never> {
  const failures = (job.data.failures ?? 0) + 1;
  const { code, status, detail, retryAfterMs } = result.failure;
  ctx.logger.warn(
    { stream: job.data.stream, method: result.method, code, status, detail, failures },
    'Slack call failed; will retry',
  );
  const backoff = Math.min(60_000, 1_000 * 2 ** (failures - 1));
  return later(job, token, Math.max(backoff, retryAfterMs ?? 0), failures);
}

/** Puts the drain back in the delayed set for `ms`; BullMQ takes DelayedError as "moved". */
async function later(
  job: Job<DrainJobData, string, 'drain'>,
  token: string | undefined,
  ms: number,
  failures: number | undefined,
): Promise<never> {
  if (failures !== job.data.failures) await job.updateData({ ...job.data, failures });
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}
