/**
 * The producer side of the Slack outbox: every Slack write Quorum makes is pushed
 * here and delivered by the outbox consumer (outbox-consumer.ts), paced per channel,
 * in order per thread, progress edits coalesced. Pushing is two steps: a script adds
 * the message to its stream's list, then — when the list was empty, or the message was
 * there already (a retried push: its first pusher may have died before this step) —
 * the stream's drain job is added (a no-op when it exists). A push behind pending
 * messages adds nothing: their drain is there and takes it too. A crash between the two
 * steps, or a drain that failed for good, is repaired by the consumer's sweep. An
 * urgent message whose stream already waits for a turn moves it to the urgent lane
 * (outbox-turns.ts) and wakes its drain, so it does not sleep out a non-urgent wait.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { OUTBOX_QUEUE } from './names.js';
import {
  isEditStream,
  streamOf,
  type OutboxMessage,
  type OutboxWriter,
} from '../../domain/outbox-message.js';
import { outboxKeys, outboxListPattern, seenKey } from '../../state/outbox-keys.js';
import { PUSH, REMEMBER_MS } from './outbox-scripts.js';
import { urgeTurn } from './outbox-turns.js';

export interface DrainJobData {
  stream: string;
  /** The stream's generation this drain owns (see outbox-scripts.ts). */
  gen: number;
  /** Consecutive transient delivery failures, for the backoff. */
  failures?: number;
}

const drainJobId = (stream: string, gen: number) => `${stream}.g${gen}`;

export type OutboxQueue = Queue<DrainJobData, string, 'drain'>;

export type { OutboxWriter } from '../../domain/outbox-message.js';

export class Outbox implements OutboxWriter {
  readonly queue: OutboxQueue;

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {
    this.queue = new Queue(OUTBOX_QUEUE, { connection: redis, prefix });
    this.queue.on('error', () => undefined);
  }

  async push(input: OutboxMessage): Promise<boolean> {
    const message = { ...input, at: input.at ?? Date.now() };
    const stream = streamOf(message);
    const keys = outboxKeys(this.prefix, stream);
    const final = message.op === 'update' && message.final ? '1' : '0';
    const [pushed, gen, first] = (await this.redis.eval(
      PUSH,
      4,
      keys.list,
      keys.gen,
      seenKey(this.prefix, message.id),
      keys.final,
      JSON.stringify(message),
      isEditStream(stream) ? 'edit' : 'post',
      final,
      REMEMBER_MS,
    )) as [number, number, number?];
    if (pushed === 0 || first === 1) await this.ensureDrain(stream, gen);
    if (pushed === 1 && message.urgent) await this.urge(message.channel, stream, gen);
    return pushed === 1;
  }

  /** `stream` waits for a turn: into the urgent lane, and its delayed drain woken now. */
  private async urge(channel: string, stream: string, gen: number): Promise<void> {
    if (!(await urgeTurn(this.redis, this.prefix, channel, stream))) return;
    const job = await this.queue.getJob(drainJobId(stream, gen));
    // It may have woken by itself meanwhile: then it is not delayed, and that is fine.
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
  }

  /** Adds the drain job of `stream` at generation `gen` unless it exists. */
  async ensureDrain(stream: string, gen: number): Promise<void> {
    await this.queue.add(
      'drain',
      { stream, gen },
      {
        jobId: drainJobId(stream, gen),
        removeOnComplete: true,
        // A drain that fails for good is removed; the consumer's sweep (every minute) re-creates it.
        removeOnFail: true,
        attempts: 10,
        backoff: { type: 'exponential', delay: 1_000 },
      },
    );
  }

  /** Re-creates the drain job of every stream with pending messages. Returns how many streams. */
  async sweep(): Promise<number> {
    const pattern = outboxListPattern(this.prefix);
    let cursor = '0';
    let streams = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern.match, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const stream = pattern.streamOf(key);
        const gen = Number((await this.redis.get(outboxKeys(this.prefix, stream).gen)) ?? 0);
        await this.ensureDrain(stream, gen);
        streams += 1;
      }
    } while (cursor !== '0');
    return streams;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
