/**
 * The outbox's Redis state and the scripts that keep it consistent. Per stream:
 * a list of pending messages, and a generation number; the drain job of a stream
 * is `<stream>.g<generation>`, and the generation moves on only when a drain finds
 * the list empty — in the same script, so a message pushed at that moment is
 * either seen by the running drain or gets a new drain job, never neither. The keys
 * are built in state/outbox-keys.ts (re-exported here); dead letters are kept by
 * state/outbox-dead-letters.ts.
 */

export { outboxKeys, paceKey, seenKey, type OutboxKeys } from '../../state/outbox-keys.js';

/** How long message ids (for dedup) and final-edit markers are remembered. */
export const REMEMBER_MS = 24 * 3_600_000;

/**
 * KEYS[1] list, KEYS[2] gen, KEYS[3] seen id, KEYS[4] final marker
 * ARGV[1] message JSON, ARGV[2] 'edit' | 'post', ARGV[3] '1' final edit, ARGV[4] remember ms
 * Output: { pushed 1|0, generation }. Not pushed: a duplicate id, or a progress edit
 * after the final one.
 */
export const PUSH = `
local gen = tonumber(redis.call('GET', KEYS[2]) or '0')
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[4]) then return {0, gen} end
if ARGV[2] == 'edit' then
  if ARGV[3] == '1' then
    redis.call('SET', KEYS[4], '1', 'PX', ARGV[4])
  elseif redis.call('EXISTS', KEYS[4]) == 1 then
    return {0, gen}
  end
end
-- No expiry on the list: a message waits for as long as Slack or the consumer is away.
redis.call('RPUSH', KEYS[1], ARGV[1])
return {1, gen}`;

/**
 * KEYS[1] list, KEYS[2] gen; ARGV[1] 'edit' | 'post', ARGV[2] the drain's generation
 * Output: {-1} when the drain is stale (its generation is over: another drain owns the
 * stream); {0} when empty; else { count, message }: a post stream gives its head
 * (count 1); an edit stream gives its newest message and how many it supersedes.
 */
export const TAKE = `
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[2]) then return {-1} end
local n = redis.call('LLEN', KEYS[1])
if n == 0 then return {0} end
if ARGV[1] == 'edit' then return {n, redis.call('LINDEX', KEYS[1], -1)} end
return {1, redis.call('LINDEX', KEYS[1], 0)}`;

/** KEYS[1] list, KEYS[2] gen. Output: 1 and the generation moved on when empty; else 0. */
export const FINISH = `
if redis.call('LLEN', KEYS[1]) > 0 then return 0 end
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ${REMEMBER_MS})
return 1`;

/**
 * KEYS[1] the channel's next-allowed time; ARGV[1] interval ms.
 * Output: 0 and the slot is taken; else the ms to wait. Redis' clock, so every host agrees.
 */
export const PACE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < nextAt then return nextAt - now end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(now + interval), 'PX', interval + 60000)
return 0`;
