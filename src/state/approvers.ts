/**
 * Who may approve: Slack user IDs (`U…`, `W…`) and user-group IDs (`S…`), as in
 * QUORUM_APPROVERS. Group members are fetched through the function passed in (the
 * transport wires Slack's `usergroups.users.list`) and cached briefly per group, so a
 * burst of clicks costs one call and a change in the group is seen within the TTL.
 * The cache is per process and holds only member IDs: nothing that must survive a restart.
 */
import { QuorumError } from '../domain/errors.js';
import type { ApproverCheck } from '../domain/approval.js';

export type ListGroupMembers = (groupId: string) => Promise<string[]>;

interface Cached {
  at: number;
  members: Promise<ReadonlySet<string>>;
}

export const DEFAULT_APPROVER_CACHE_TTL_MS = 60_000;

/**
 * An ApproverCheck for `spec`. A group that cannot be listed makes the check throw
 * (fail closed, not cached) unless the user is found elsewhere in the spec.
 */
export function resolveApprovers(
  spec: readonly string[],
  listGroupMembers: ListGroupMembers,
  cacheTtlMs = DEFAULT_APPROVER_CACHE_TTL_MS,
  now: () => number = Date.now,
): ApproverCheck {
  const users = new Set<string>();
  const groups: string[] = [];
  for (const raw of spec) {
    const id = raw.trim();
    if (/^[UW][A-Z0-9]{2,}$/.test(id)) users.add(id);
    else if (/^S[A-Z0-9]{2,}$/.test(id)) groups.push(id);
    else
      throw new QuorumError(
        'CONFIG_INVALID',
        `Approver "${id}" is not a Slack user or user-group ID.`,
        'Write user IDs (U024BE7LH, W…) and user-group IDs (S0614TZR7), comma-separated.',
      );
  }
  const cache = new Map<string, Cached>();

  const membersOf = (group: string): Promise<ReadonlySet<string>> => {
    const hit = cache.get(group);
    if (hit && now() - hit.at < cacheTtlMs) return hit.members;
    const members = listGroupMembers(group).then((ids) => new Set(ids));
    const entry = { at: now(), members };
    cache.set(group, entry);
    // A failed lookup is not remembered: the next click asks again.
    members.catch(() => {
      if (cache.get(group) === entry) cache.delete(group);
    });
    return members;
  };

  return async (userId: string): Promise<boolean> => {
    if (users.has(userId)) return true;
    if (groups.length === 0) return false;
    const results = await Promise.allSettled(groups.map(membersOf));
    if (results.some((r) => r.status === 'fulfilled' && r.value.has(userId))) return true;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return false;
  };
}
