/**
 * The Lua scripts behind approvals: each runs atomically in Redis, so a double click
 * or two approvers clicking at once see one transition. Contract first, as in BullMQ.
 */

/**
 * Create an approval unless its id is taken, and note its deadline (for the expiry sweep).
 * KEYS[1] the approval's hash · KEYS[2] the deadlines (sorted set: expiresAt → id) ·
 * ARGV[1] TTL of the key, ms · ARGV[2] the id · ARGV[3] expiresAt, ms · ARGV[4..] field, value, …
 * Returns 1 when created; 0 when the key exists (nothing written).
 */
export const CREATE_APPROVAL = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1
`;

/**
 * Decide a pending approval: pending → approved | rejected, once. Approving records the
 * job's intent in the same step (`intent` = pending, and the id in the intents set,
 * scored by the decision time), so a decision never exists without its job to come.
 * KEYS[1] the approval's hash · KEYS[2] the pending intents (sorted set) · KEYS[3] the
 * deadlines · ARGV[1] 'approved' | 'rejected' · ARGV[2] who · ARGV[3] now, ms since the
 * epoch (the caller's clock) · ARGV[4] keep the record this long, ms · ARGV[5] the id
 * Returns { outcome, field, value, … } with outcome 'not-found' (no fields),
 * 'already-decided' or 'expired' (nothing written), or ARGV[1] (written).
 */
export const DECIDE_APPROVAL = `
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'not-found' } end
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then
  return { 'already-decided', unpack(redis.call('HGETALL', KEYS[1])) }
end
if tonumber(ARGV[3]) >= tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) then
  return { 'expired', unpack(redis.call('HGETALL', KEYS[1])) }
end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'decidedBy', ARGV[2], 'decidedAt', ARGV[3])
if ARGV[1] == 'approved' then
  redis.call('HSET', KEYS[1], 'intent', 'pending')
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
end
redis.call('ZREM', KEYS[3], ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { ARGV[1], unpack(redis.call('HGETALL', KEYS[1])) }
`;

/**
 * End an approved request's intent: pending → done (its job is queued) | failed (it
 * can never be). Only one caller sees the change, and carries out what follows it.
 * KEYS[1] the approval's hash · KEYS[2] the pending intents · ARGV[1] the id ·
 * ARGV[2] 'done' | 'failed' · ARGV[3] why it failed ('' for none)
 * Returns 1 when changed; 0 when it was not pending (or the approval is gone: the id
 * leaves the intents set either way).
 */
export const END_INTENT = `
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[1], 'intent') ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'intent', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'intentError', ARGV[3]) end
return 1
`;

/**
 * The ids in a sorted set (pending intents, or deadlines) scored at or below a time.
 * KEYS[1] the sorted set · ARGV[1] the time, ms · ARGV[2] at most this many
 * Returns the ids, oldest first.
 */
export const DUE_IDS = `
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
`;

/**
 * Take an undecided request past its deadline off the deadlines set, once.
 * KEYS[1] the approval's hash · KEYS[2] the deadlines · ARGV[1] the id · ARGV[2] now, ms
 * Returns { 1, field, value, … } for the caller that took it (it ends it visibly), or
 * { 0 } (decided, gone, not yet due, or taken by another caller).
 */
export const TAKE_EXPIRED = `
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return { 0 }
end
if tonumber(ARGV[2]) < tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) then return { 0 } end
if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then return { 0 } end
return { 1, unpack(redis.call('HGETALL', KEYS[1])) }
`;

/**
 * Record where the request was posted (known only after posting it).
 * KEYS[1] the approval's hash · ARGV[1] channel · ARGV[2] message ts
 * Returns 1 when set; 0 when the approval is gone (nothing written).
 */
export const SET_APPROVAL_MESSAGE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'channel', ARGV[1], 'messageTs', ARGV[2])
return 1
`;
