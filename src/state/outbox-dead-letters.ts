/**
 * The outbox's dead letters: Slack messages given up on — refused for good (HTTP 413,
 * `invalid_blocks` …), still failing past the retry limit, or waiting for a thread root
 * that was never posted. Newest first in one capped list per prefix, kept a month, so
 * an operator can see what did not reach Slack and why (the bot's log has one error
 * line per entry too).
 *
 * Burying takes the message off its stream in the same script that records it, and only
 * if the message is still where the drain found it: a drain that crashed after burying
 * and runs again finds it gone and records nothing twice.
 */
import type { StateRedis } from './redis.js';

export const deadLettersKey = (prefix: string) => `${prefix}:outbox:dead-letters`;

/** The newest this many are kept. */
export const DEAD_LETTERS_MAX = 1_000;
export const DEAD_LETTERS_TTL_MS = 30 * 24 * 3_600_000;
/** A dead letter keeps this much of the message's text (its blocks are not kept). */
export const DEAD_LETTER_TEXT_MAX = 3_000;

export interface DeadLetter {
  /** The outbox message id. */
  id: string;
  stream: string;
  channel: string;
  op: 'post' | 'update';
  /** The thread it was for (a post), or the message it edited (an update), when known. */
  threadTs?: string;
  ts?: string;
  /** `chat.postMessage`, `chat.update`, or `none` when it was never sent. */
  method: string;
  /** Why, as a code: `http_413`, `invalid_blocks`, `request_invalid`, `ref_never_posted` … */
  code: string;
  /** The HTTP status Slack answered, when it answered one. */
  status?: number;
  /** True when the failure was transient but lasted past the retry limit. */
  expired: boolean;
  /** True when this was itself the notice about another dead letter (none is posted about it). */
  notice: boolean;
  /** Whether a notice was queued into the thread. */
  noticed: boolean;
  /** When the message was pushed, and when it was given up (ms). */
  queuedAt: number;
  failedAt: number;
  /** The text, cut to DEAD_LETTER_TEXT_MAX characters; `blocks`: how many it had. */
  text: string;
  blocks?: number;
}

/**
 * KEYS[1] the stream's list, KEYS[2] the dead letters
 * ARGV[1] the message JSON as taken, ARGV[2] its index in the list, ARGV[3] how many to
 * remove from the head (the message and the edits it superseded), ARGV[4] JSON to put
 * in its place ('' for none), ARGV[5] the dead letter, ARGV[6] max entries, ARGV[7] ttl ms.
 * Output: 1 buried; 0 the message was no longer there (buried already).
 */
const BURY = `
if redis.call('LINDEX', KEYS[1], tonumber(ARGV[2])) ~= ARGV[1] then return 0 end
if ARGV[4] ~= '' then
  redis.call('LSET', KEYS[1], 0, ARGV[4])
else
  redis.call('LTRIM', KEYS[1], tonumber(ARGV[3]), -1)
end
redis.call('LPUSH', KEYS[2], ARGV[5])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[6]) - 1)
redis.call('PEXPIRE', KEYS[2], ARGV[7])
return 1`;

export interface BuryInput {
  /** The stream's list key (state/outbox-keys.ts). */
  list: string;
  /** The message as the drain took it from the list, its index, and how many go with it. */
  taken: string;
  index: number;
  count: number;
  /** Put in the message's place (a post stream's notice), instead of removing it. */
  replacement?: string;
  letter: DeadLetter;
}

/** Records the dead letter and takes its message off the stream; false when done already. */
export async function buryOutboxMessage(
  redis: Pick<StateRedis, 'eval'>,
  prefix: string,
  input: BuryInput,
): Promise<boolean> {
  const letter = { ...input.letter, text: input.letter.text.slice(0, DEAD_LETTER_TEXT_MAX) };
  const buried = await redis.eval(
    BURY,
    2,
    input.list,
    deadLettersKey(prefix),
    input.taken,
    input.index,
    input.count,
    input.replacement ?? '',
    JSON.stringify(letter),
    DEAD_LETTERS_MAX,
    DEAD_LETTERS_TTL_MS,
  );
  return Number(buried) === 1;
}

const READ = `return redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)`;

/** The newest `limit` dead letters, newest first. */
export async function readDeadLetters(
  redis: Pick<StateRedis, 'eval'>,
  prefix: string,
  limit = DEAD_LETTERS_MAX,
): Promise<DeadLetter[]> {
  const rows = (await redis.eval(READ, 1, deadLettersKey(prefix), limit)) as string[];
  return rows.flatMap((row) => {
    try {
      return [JSON.parse(row) as DeadLetter];
    } catch {
      return [];
    }
  });
}
