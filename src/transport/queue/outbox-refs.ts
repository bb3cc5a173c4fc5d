/**
 * Refs: names for Slack messages that the outbox has not posted yet (see
 * outbox-message.ts). The consumer keeps a posted message's ts under its ref; posts
 * into its thread and edits of it wait until it is there.
 */
import type { Redis } from 'ioredis';
import type { OutboxMessage } from '../../domain/outbox-message.js';
import { refKey } from '../../state/outbox-keys.js';

export { refKey };

/** Refs are kept this long: an incident thread stays addressable for a month. */
export const REF_TTL_MS = 30 * 24 * 3_600_000;
/** A message whose ref is still unknown after this long is dropped (its root never got posted). */
export const REF_WAIT_MS = 10 * 60_000;

/**
 * The ref of a job's one progress reply (a job with no root message): named by the job,
 * so every progress of every attempt edits the same message.
 */
export const progressRef = (jobId: string) => `job-${jobId}-progress`;

/** The ts of the message posted with `ref`, or undefined while it is not posted. */
export async function readRef(
  redis: Redis,
  prefix: string,
  ref: string,
): Promise<string | undefined> {
  return (await redis.get(refKey(prefix, ref))) ?? undefined;
}

export async function storeRef(
  redis: Redis,
  prefix: string,
  ref: string,
  ts: string,
): Promise<void> {
  await redis.set(refKey(prefix, ref), ts, 'PX', REF_TTL_MS);
}

/** The ref a message waits for, if any: the thread it goes into, or the message it edits. */
export function awaitedRef(m: OutboxMessage): string | undefined {
  if (m.op === 'post') return m.threadTs ? undefined : m.threadRef;
  return m.ts ? undefined : m.ref;
}

/**
 * The message with its ref resolved to a ts: `ready`, still `waiting`, or `lost` when
 * the ref stayed unknown past REF_WAIT_MS.
 */
export async function resolveRef(
  redis: Redis,
  prefix: string,
  m: OutboxMessage,
  now = Date.now(),
): Promise<{ state: 'ready'; message: OutboxMessage } | { state: 'waiting' } | { state: 'lost' }> {
  const ref = awaitedRef(m);
  if (ref === undefined) return { state: 'ready', message: m };
  const ts = await readRef(redis, prefix, ref);
  if (ts !== undefined)
    return { state: 'ready', message: m.op === 'post' ? { ...m, threadTs: ts } : { ...m, ts } };
  return { state: now - (m.at ?? now) > REF_WAIT_MS ? 'lost' : 'waiting' };
}
