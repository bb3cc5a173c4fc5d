/**
 * The sweep of requests nobody decided in time: each is taken off the deadlines once
 * (state/approvals.ts), and its message loses its buttons and says it expired, so a
 * request never waits on the channel forever. Runs from app/sweep.ts.
 */
import { announceExpiry } from './announce.js';
import type { ApprovalWorkflowDeps } from './deps.js';

const BATCH = 100;

/** Returns how many requests this call ended. */
export async function endExpiredApprovals(deps: ApprovalWorkflowDeps): Promise<number> {
  let ended = 0;
  for (const id of await deps.approvals.dueExpiries(BATCH)) {
    const approval = await deps.approvals.takeExpired(id);
    if (!approval) continue;
    await announceExpiry(deps, approval);
    ended += 1;
  }
  return ended;
}
