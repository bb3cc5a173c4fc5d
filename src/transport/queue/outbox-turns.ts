/**
 * A channel's turns (the TURN script in outbox-scripts.ts): a drain that has a message
 * to send joins its channel's turn queue — urgent streams in a lane before the others,
 * first come, first served within a lane, across every consumer and replica — and is
 * granted the channel's next slot only at the head, once the pacing interval has passed.
 * A drain told to wait is given a wait estimated from its position, so the waiting drains
 * wake one by one instead of all at once; it keeps its place when it asks again. A stream
 * granted and with more to send joins again at the back: round-robin across threads. An
 * entry its drain no longer refreshes (a crash) is dropped after `staleTurnMs`.
 */
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { turnKeys } from '../../state/outbox-keys.js';
import { TURN, URGE } from './outbox-scripts.js';

/**
 * Waits up to this long are slept in place; a longer one delays the job to this long
 * before its estimate, and the rest is slept in place after it wakes: BullMQ wakes a
 * delayed job up to ~100 ms late (measured), which would leave the channel idle.
 */
export const SLEEP_IN_PLACE_MS = 150;
/** How long a channel's turn keys outlive its last turn. */
const KEEP_MS = 24 * 3_600_000;

export interface TurnOptions {
  connection: Redis;
  prefix: string;
  /** Minimum ms between two messages to one channel. */
  intervalMs: number;
  /** An entry not refreshed this long is dropped (default: staleTurnMs(intervalMs)). */
  staleTurnMs?: number;
}

/** max(10 s, 5 intervals): far beyond any waiting drain's re-check, so only the vanished go. */
export const staleTurnMs = (intervalMs: number) => Math.max(10_000, 5 * intervalMs);

/**
 * Asks for `stream`'s turn in `channel`: 0 when granted (send now), else the ms to delay
 * the drain before it asks again — short waits are slept here, a long one is returned
 * SLEEP_IN_PLACE_MS short, and none so long that the entry would be dropped as vanished
 * before its drain asks again.
 */
export async function takeTurn(
  opts: TurnOptions,
  channel: string,
  stream: string,
  urgent: boolean,
): Promise<number> {
  const keys = turnKeys(opts.prefix, channel);
  const stale = opts.staleTurnMs ?? staleTurnMs(opts.intervalMs);
  const ask = async () => {
    const [wait] = (await opts.connection.eval(
      TURN,
      4,
      keys.queue,
      keys.alive,
      keys.ticket,
      keys.pace,
      stream,
      urgent ? 0 : 1,
      opts.intervalMs,
      stale,
      KEEP_MS,
    )) as [number, number?];
    return Number(wait);
  };
  let wait = await ask();
  while (wait > 0 && wait <= SLEEP_IN_PLACE_MS) {
    await sleep(wait);
    wait = await ask();
  }
  return wait === 0 ? 0 : Math.min(wait - SLEEP_IN_PLACE_MS, Math.floor(stale / 3));
}

/** Moves `stream` to the urgent lane if it waits for a turn; true when it does. */
export async function urgeTurn(
  redis: Redis,
  prefix: string,
  channel: string,
  stream: string,
): Promise<boolean> {
  return Number(await redis.eval(URGE, 1, turnKeys(prefix, channel).queue, stream)) === 1;
}
