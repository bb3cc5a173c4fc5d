/**
 * The Lua scripts behind approvals: each runs atomically in Redis, so a double click
 * or two approvers clicking at once see one transition. Contract first, as in BullMQ.
 */

/**
 * Create an approval unless its id is taken.
 * KEYS[1] the approval's hash · ARGV[1] TTL of the key, ms · ARGV[2..] field, value, …
 * Returns 1 when created; 0 when the key exists (nothing written).
 */
export const CREATE_APPROVAL = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

/**
 * Decide a pending approval: pending → approved | rejected, once.
 * KEYS[1] the approval's hash · ARGV[1] 'approved' | 'rejected' · ARGV[2] who ·
 * ARGV[3] now, ms since the epoch (the caller's clock) · ARGV[4] keep the record this long, ms
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
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { ARGV[1], unpack(redis.call('HGETALL', KEYS[1])) }
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
