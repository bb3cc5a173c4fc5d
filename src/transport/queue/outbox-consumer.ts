/**
 * The outbox consumer: drains streams of Slack messages (outbox.ts) through the
 * WebClient. One drain job per stream at a time keeps a thread in order; a channel's
 * next-allowed time in Redis paces it to about one message per `intervalMs`, and a
 * drain that must wait is delayed in BullMQ rather than holding a worker slot. A 429
 * is waited out by the WebClient itself; a transient failure delays the drain with
 * backoff, never dropping the message; a permanent refusal (channel_not_found …) is
 * logged with the message and dropped. Delivery is at least once: a consumer killed
 * between Slack's answer and the list trim sends that one message again.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../domain/logger.js';
import type { RuntimeMetrics } from '../http/metrics.js';
import { isTransientSlackError, slackErrorText, type WebClient } from '../slack/web-client.js';
import { OUTBOX_QUEUE } from './names.js';
import { Outbox, type DrainJobData } from './outbox.js';
import { isEditStream, type OutboxMessage } from '../../domain/outbox-message.js';
import { resolveRef, storeRef } from './outbox-refs.js';
import { FINISH, outboxKeys, PACE, paceKey, TAKE } from './outbox-scripts.js';

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
}

export interface OutboxConsumer {
  close(): Promise<void>;
}

/** Waits shorter than this are slept in place; longer ones delay the job. */
const SLEEP_IN_PLACE_MS = 50;
/** How often a message waiting for its ref's root to be posted looks again. */
const REF_POLL_MS = 250;

export function startOutboxConsumer(opts: OutboxConsumerOptions): OutboxConsumer {
  const outbox = new Outbox(opts.connection, opts.prefix);
  const worker = new Worker<DrainJobData, string, 'drain'>(
    OUTBOX_QUEUE,
    (job, token) => drain(job, token, opts),
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
  opts: OutboxConsumerOptions,
): Promise<string> {
  const { stream, gen } = job.data;
  const keys = outboxKeys(opts.prefix, stream);
  const redis = opts.connection;
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
    const [count, json] = taken;
    const queued = JSON.parse(json ?? '{}') as OutboxMessage;
    const resolved = await resolveRef(redis, opts.prefix, queued);
    if (resolved.state === 'waiting') return later(job, token, REF_POLL_MS, job.data.failures);
    if (resolved.state === 'lost') {
      opts.metrics.outboxDropped.inc({ reason: 'ref_never_posted' });
      opts.logger.error(
        { stream, text: queued.text },
        'The message this one belongs to was never posted; dropped',
      );
      await redis.ltrim(keys.list, count, -1);
      continue;
    }
    const { message } = resolved;
    let wait = Number(
      await redis.eval(PACE, 1, paceKey(opts.prefix, message.channel), opts.intervalMs),
    );
    while (wait > 0 && wait <= SLEEP_IN_PLACE_MS) {
      await sleep(wait);
      wait = Number(
        await redis.eval(PACE, 1, paceKey(opts.prefix, message.channel), opts.intervalMs),
      );
    }
    if (wait > 0) return later(job, token, wait, job.data.failures);
    if (!(await deliver(message, opts, stream))) {
      const failures = (job.data.failures ?? 0) + 1;
      return later(job, token, Math.min(60_000, 1_000 * 2 ** (failures - 1)), failures);
    }
    await redis.ltrim(keys.list, count, -1);
    if (job.data.failures) await job.updateData({ stream, gen });
  }
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

/** True when done with the message (sent, or refused for good); false to try again later. */
async function deliver(
  message: OutboxMessage,
  opts: OutboxConsumerOptions,
  stream: string,
): Promise<boolean> {
  const method = message.op === 'post' ? 'chat.postMessage' : 'chat.update';
  try {
    if (message.op === 'post') {
      const res = await opts.slack.chat.postMessage({
        channel: message.channel,
        text: message.text,
        thread_ts: message.threadTs,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (message.ref && res.ts) await storeRef(opts.connection, opts.prefix, message.ref, res.ts);
    } else {
      await opts.slack.chat.update({
        channel: message.channel,
        ts: message.ts as string,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
      });
    }
    opts.metrics.slackCalls.inc({ method, outcome: 'ok' });
    return true;
  } catch (err) {
    opts.metrics.slackCalls.inc({ method, outcome: 'error' });
    const reason = slackErrorText(err);
    if (isTransientSlackError(err)) {
      opts.logger.warn(
        { channel: message.channel, method, reason },
        'Slack call failed; will retry',
      );
      return false;
    }
    opts.metrics.outboxDropped.inc({ reason });
    opts.logger.error(
      { channel: message.channel, stream, method, reason, text: message.text },
      'Slack refused the message for good; dropped (its text is in this log line)',
    );
    return true;
  }
}
