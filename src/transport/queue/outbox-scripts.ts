/**
 * The outbox's Redis state and the scripts that keep it consistent. Per stream:
 * a list of pending messages, and a generation number; the drain job of a stream
 * is `<stream>.g<generation>`, and the generation moves on only when a drain finds
 * the list empty — in the same script, so a message pushed at that moment is
 * either seen by the running drain or gets a new drain job, never neither. Per channel:
 * a turn queue (TURN), so the streams of one channel send in turn. The keys
 * are built in state/outbox-keys.ts (re-exported here); dead letters are kept by
 * state/outbox-dead-letters.ts.
 */

export {
  outboxKeys,
  paceKey,
  seenKey,
  turnKeys,
  type OutboxKeys,
  type TurnKeys,
} from '../../state/outbox-keys.js';

/** How long message ids (for dedup) and final-edit markers are remembered. */
export const REMEMBER_MS = 24 * 3_600_000;

/**
 * KEYS[1] list, KEYS[2] gen, KEYS[3] seen id, KEYS[4] final marker
 * ARGV[1] message JSON, ARGV[2] 'edit' | 'post', ARGV[3] '1' final edit, ARGV[4] remember ms
 * Output: { pushed 1|0, generation, first 1|0 }. Not pushed: a duplicate id, or a progress
 * edit after the final one. First: the list was empty, so no drain of this generation
 * exists yet (a non-empty list at a generation has its drain: the generation moves on
 * only when a drain finds the list empty, and the push that filled it added the drain).
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
local n = redis.call('RPUSH', KEYS[1], ARGV[1])
return {1, gen, n == 1 and 1 or 0}`;

/**
 * KEYS[1] list, KEYS[2] gen; ARGV[1] 'edit' | 'post', ARGV[2] the drain's generation
 * Output: {-1} when the drain is stale (its generation is over: another drain owns the
 * stream); {0} when empty; else { count, message, urgent 1|0 }: a post stream gives its
 * head (count 1, urgent when the head is); an edit stream gives its newest message, how
 * many it supersedes, and urgent when any of them is (the newest carries their change).
 */
export const TAKE = `
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[2]) then return {-1} end
local n = redis.call('LLEN', KEYS[1])
if n == 0 then return {0} end
local first, last = 0, 0
if ARGV[1] == 'edit' then first, last = 0, -1 end
local urgent = 0
for _, m in ipairs(redis.call('LRANGE', KEYS[1], first, last)) do
  if cjson.decode(m).urgent == true then urgent = 1 break end
end
if ARGV[1] == 'edit' then return {n, redis.call('LINDEX', KEYS[1], -1), urgent} end
return {1, redis.call('LINDEX', KEYS[1], 0), urgent}`;

/** KEYS[1] list, KEYS[2] gen. Output: 1 and the generation moved on when empty; else 0. */
export const FINISH = `
if redis.call('LLEN', KEYS[1]) > 0 then return 0 end
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ${REMEMBER_MS})
return 1`;

/** A turn's score is lane × LANE + ticket: every urgent turn (lane 0) before any other. */
const LANE = 1e12;

/**
 * A channel's turns, first come, first served across every consumer (outbox-turns.ts).
 * KEYS[1] turn queue (zset: stream → lane × LANE + ticket), KEYS[2] alive (zset: stream →
 * last refresh), KEYS[3] ticket counter, KEYS[4] the channel's next-allowed time
 * ARGV[1] stream, ARGV[2] lane (0 urgent, 1 not), ARGV[3] interval ms, ARGV[4] stale ms
 * (an entry not refreshed for this long is dropped: its drain vanished), ARGV[5] keep ms
 * Output: {0}: granted — the stream left the queue and the channel's next slot is one
 * interval away; else { ms to wait, estimated from the position, position }. A stream
 * already queued keeps its place and refreshes it; an urgent one moves to the urgent lane.
 * Redis' clock, so every host agrees.
 */
export const TURN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local stream, lane = ARGV[1], tonumber(ARGV[2])
local interval, keep = tonumber(ARGV[3]), ARGV[5]
local horizon = '(' .. (now - tonumber(ARGV[4]))
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', horizon)) do
  redis.call('ZREM', KEYS[1], gone)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', horizon)
local score = redis.call('ZSCORE', KEYS[1], stream)
if not score then
  redis.call('ZADD', KEYS[1], lane * ${LANE} + redis.call('INCR', KEYS[3]), stream)
elseif lane == 0 and tonumber(score) >= ${LANE} then
  redis.call('ZADD', KEYS[1], tonumber(score) - ${LANE}, stream)
end
redis.call('ZADD', KEYS[2], now, stream)
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], keep) end
local rank = redis.call('ZRANK', KEYS[1], stream)
local nextAt = tonumber(redis.call('GET', KEYS[4]) or '0')
if rank == 0 and now >= nextAt then
  redis.call('ZREM', KEYS[1], stream)
  redis.call('ZREM', KEYS[2], stream)
  redis.call('SET', KEYS[4], tostring(now + interval), 'PX', interval + 60000)
  return {0}
end
return {math.max(nextAt - now, 0) + rank * interval, rank}`;

/**
 * An urgent message was pushed: its stream, if queued for a turn, moves to the urgent lane.
 * KEYS[1] turn queue; ARGV[1] stream. Output: 1 when the stream is waiting for a turn.
 */
export const URGE = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
if tonumber(score) >= ${LANE} then redis.call('ZADD', KEYS[1], tonumber(score) - ${LANE}, ARGV[1]) end
return 1`;
