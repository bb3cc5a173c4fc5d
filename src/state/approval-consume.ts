/**
 * An approval is used once: the attempt that acts on it takes it first, in one Lua
 * script that also checks it is approved for this action on this cluster, so one
 * approval changes a cluster once, whatever BullMQ re-delivers. A later attempt of the
 * same job finds it taken: when the earlier attempt ended knowingly (its operation
 * failed and the kind's retry policy applies) it was given back and may be taken again;
 * otherwise the earlier attempt was interrupted with its outcome unknown, and nothing
 * may act on the approval again. Another job carrying the same approval never acts.
 *
 * Fields this adds to the approval's hash (approvals.ts, `${prefix}:approval:${id}`):
 *   usedBy       the job that took it: `jobId#run`
 *   usedState    `acting` (taken; the outcome not known yet) | `released` (given back after a failure)
 *   usedAt       ms since the epoch, when last taken
 *   usedAttempt  the attempt that took it (BullMQ's count: a stalled re-delivery repeats it)
 *   usedToken    random per attempt: only the attempt that took it gives it back
 */
import type { StateRedis } from './redis.js';

export type TakeApprovalResult =
  /** Taken by this attempt: it may act. */
  | { outcome: 'taken' }
  /** This job's earlier attempt took it and never said how it ended. */
  | { outcome: 'interrupted'; attempt: number; at: number }
  /** Another job used it. */
  | { outcome: 'used'; by: string }
  /** Gone, not (or no longer) approved, or for another action or cluster. */
  | { outcome: 'not-approved'; why: string };

export interface ApprovalUse {
  approvalId: string;
  /** `jobId#run`. */
  job: string;
  attempt: number;
  /** Random per attempt. */
  token: string;
  action: string;
  cluster: string;
}

/**
 * KEYS[1] the approval's hash · ARGV[1] job · ARGV[2] attempt · ARGV[3] action ·
 * ARGV[4] cluster · ARGV[5] now, ms · ARGV[6] token
 * Returns { 'taken' } (written) or, with nothing written, { 'not-found' },
 * { 'not-approved', status }, { 'mismatch', action, cluster }, { 'used', usedBy },
 * { 'interrupted', usedAttempt, usedAt }.
 */
const TAKE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'not-found' } end
local h = redis.call('HMGET', KEYS[1], 'status', 'action', 'cluster', 'usedBy', 'usedState', 'usedAttempt', 'usedAt')
if h[1] ~= 'approved' then return { 'not-approved', h[1] or '' } end
if h[2] ~= ARGV[3] or h[3] ~= ARGV[4] then return { 'mismatch', h[2] or '', h[3] or '' } end
if h[4] and h[4] ~= ARGV[1] then return { 'used', h[4] } end
if h[4] and h[5] ~= 'released' then return { 'interrupted', h[6] or '0', h[7] or '0' } end
redis.call('HSET', KEYS[1], 'usedBy', ARGV[1], 'usedState', 'acting', 'usedAttempt', ARGV[2],
  'usedAt', ARGV[5], 'usedToken', ARGV[6])
return { 'taken' }
`;

/**
 * Give a taken approval back after the attempt failed knowingly.
 * KEYS[1] the approval's hash · ARGV[1] job · ARGV[2] token
 * Returns 1 when given back; 0 when not this attempt's.
 */
const GIVE_BACK = `
local h = redis.call('HMGET', KEYS[1], 'usedBy', 'usedState', 'usedToken')
if h[1] ~= ARGV[1] or h[2] ~= 'acting' or h[3] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'usedState', 'released')
return 1
`;

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The approval's hash: the key approvals.ts keeps the request under. */
export const approvalKey = (prefix: string, id: string) => `${prefix}:approval:${id}`;

/** Takes the approval for this attempt, unless it is not this attempt's to take. */
export async function takeApproval(
  redis: StateRedis,
  prefix: string,
  use: ApprovalUse,
  now: () => number = Date.now,
): Promise<TakeApprovalResult> {
  if (!ID.test(use.approvalId))
    return { outcome: 'not-approved', why: `approval ${use.approvalId} is unknown` };
  const reply = (await redis.eval(
    TAKE,
    1,
    approvalKey(prefix, use.approvalId),
    use.job,
    use.attempt,
    use.action,
    use.cluster,
    now(),
    use.token,
  )) as string[];
  const [outcome, a = '', b = ''] = reply.map(String);
  const id = use.approvalId;
  switch (outcome) {
    case 'taken':
      return { outcome: 'taken' };
    case 'used':
      return { outcome: 'used', by: a };
    case 'interrupted':
      return { outcome: 'interrupted', attempt: Number(a), at: Number(b) };
    case 'not-approved':
      return {
        outcome: 'not-approved',
        why: `approval ${id} is ${a || 'undecided'}, not approved`,
      };
    case 'mismatch':
      return {
        outcome: 'not-approved',
        why: `approval ${id} is for ${a} on ${b}, not ${use.action} on ${use.cluster}`,
      };
    default:
      return { outcome: 'not-approved', why: `approval ${id} is unknown (or expired from Redis)` };
  }
}

/** Gives the approval back after this attempt's operation failed knowingly (a retry may take it). */
export async function giveBackApproval(
  redis: StateRedis,
  prefix: string,
  use: Pick<ApprovalUse, 'approvalId' | 'job' | 'token'>,
): Promise<boolean> {
  if (!ID.test(use.approvalId)) return false;
  const key = approvalKey(prefix, use.approvalId);
  return Number(await redis.eval(GIVE_BACK, 1, key, use.job, use.token)) === 1;
}
