/**
 * The outbox consumer: drains streams of Slack messages (outbox.ts) through the
 * WebClient. One drain job per stream at a time keeps a thread in order; the streams of
 * a channel take turns (outbox-turns.ts: first come, first served, urgent ones first,
 * round-robin across threads) paced to about one message per `intervalMs`, and a drain
 * that must wait for its turn is delayed in BullMQ rather than holding a worker slot. A 429
 * is waited out by the WebClient itself; a transient failure (5xx, network, timeout)
 * delays the drain with backoff — until the message is `retryLimitMs` old, when it is
 * given up like a permanent refusal (HTTP 4xx, `invalid_blocks`, `channel_not_found` …):
 * dead-lettered with a notice in its thread (outbox-dead-letter.ts), so one bad message
 * never holds back the messages behind it. Delivery is at least once: a consumer killed
 * between Slack's answer and the list trim sends that one message again.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../domain/logger.js';
import { isEditStream } from '../../domain/outbox-message.js';
import { outboxKeys, type OutboxKeys } from '../../state/outbox-keys.js';
import type { RuntimeMetrics } from '../http/metrics.js';
import type { WebClient } from '../slack/web-client.js';
import { OUTBOX_QUEUE } from './names.js';
import type { SlackFailure } from '../slack/slack-failure.js';
import { deadLetter, type Burial, type QueuedMessage } from './outbox-dead-letter.js';
import { deliver } from './outbox-deliver.js';
import { resolveRef } from './outbox-refs.js';
import { FINISH, TAKE } from './outbox-scripts.js';
import { takeTurn } from './outbox-turns.js';
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
  /** A channel's turn not refreshed this long is dropped (default max(10 s, 5 intervals)). */
  staleTurnMs?: number;
}

export interface OutboxConsumer {
  close(): Promise<void>;
}

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
  for (;;) {
    let next = await takeNext(ctx, keys, stream, gen);
    if (next.state === 'stale') return 'stale';
    if (next.state === 'empty') {
      if (Number(await ctx.connection.eval(FINISH, 2, keys.list, keys.gen)) === 1) return 'drained';
      continue;
    }
    if (next.state === 'waiting') return later(job, token, REF_POLL_MS, job.data.failures);
    if (next.state === 'lost') {
      await deadLetter(ctx, { ...next.burial, method: 'none', code: 'ref_never_posted' });
      continue;
    }
    const wait = await takeTurn(ctx, next.message.channel, stream, next.urgent);
    if (wait > 0) return later(job, token, wait, job.data.failures);
    if (isEditStream(stream)) {
      // The turn is ours: send the newest edit, which may have come while we waited for it.
      const newer = await takeNext(ctx, keys, stream, gen);
      if (newer.state === 'ready') next = newer;
    }
    const { message, burial } = next;
    const result = await deliver(message, ctx);
    if (!result.ok) {
      const { failure } = result;
      // Transient failures are retried until the message is retryLimitMs old, then given up.
      const expired = failure.kind === 'transient';
      const age = Date.now() - (burial.message.at ?? Date.now());
      if (expired && age <= ctx.retryLimitMs) return retry(job, token, ctx, result);
      await deadLetter(ctx, { ...burial, message, method: result.method, ...failure, expired });
    } else {
      await ctx.connection.ltrim(keys.list, burial.count, -1);
    }
    if (job.data.failures) await job.updateData({ stream, gen });
  }
}

type Taken = Omit<Burial, 'method' | 'code'>;
type Next =
  | { state: 'stale' }
  | { state: 'empty' }
  | { state: 'waiting' }
  | { state: 'lost'; burial: Taken }
  | { state: 'ready'; burial: Taken; message: QueuedMessage; urgent: boolean };

/** The stream's next message (TAKE), its ref resolved. */
async function takeNext(
  ctx: DrainContext,
  keys: OutboxKeys,
  stream: string,
  gen: number,
): Promise<Next> {
  const redis = ctx.connection;
  const edits = isEditStream(stream);
  const taken = (await redis.eval(TAKE, 2, keys.list, keys.gen, edits ? 'edit' : 'post', gen)) as [
    number,
    string?,
    number?,
  ];
  if (taken[0] === -1) return { state: 'stale' };
  if (taken[0] === 0) return { state: 'empty' };
  const [count, json = '{}', urgent = 0] = taken;
  const queued = JSON.parse(json) as QueuedMessage;
  // Where a message given up on is found again: a post stream's head, an edit stream's newest.
  const index = edits ? count - 1 : 0;
  const burial = { stream, list: keys.list, taken: json, count, index, expired: false };
  const resolved = await resolveRef(redis, ctx.prefix, queued);
  if (resolved.state === 'waiting') return { state: 'waiting' };
  if (resolved.state === 'lost') return { state: 'lost', burial: { ...burial, message: queued } };
  const message = resolved.message as QueuedMessage;
  return { state: 'ready', burial: { ...burial, message: queued }, message, urgent: urgent === 1 };
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
