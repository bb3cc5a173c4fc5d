/**
 * The sweep of approvals whose job was never queued: the process that recorded the
 * decision died (or lost Redis) between the decision and the enqueue. Intents older
 * than a grace period (the deciding click is surely done by then) are completed as the
 * click would have: enqueue, end the intent, announce. Runs from app/sweep.ts.
 */
import { completeIntent } from './complete-intent.js';
import type { ApprovalWorkflowDeps } from './deps.js';

/** An intent younger than this is left to the click that made it. */
export const INTENT_GRACE_MS = 5_000;
const BATCH = 100;

export type IntentSweepDeps = ApprovalWorkflowDeps & { intentGraceMs?: number };

/** Returns how many intents this call completed (queued, or ended as never queueable). */
export async function completeApprovalIntents(deps: IntentSweepDeps): Promise<number> {
  const now = (deps.now ?? Date.now)();
  const ids = await deps.approvals.pendingIntents(
    now - (deps.intentGraceMs ?? INTENT_GRACE_MS),
    BATCH,
  );
  let completed = 0;
  for (const id of ids) {
    const approval = await deps.approvals.getApproval(id);
    if (approval?.intent !== 'pending') {
      // Gone from Redis, or ended meanwhile: only its entry in the set is left to drop.
      await deps.approvals.endIntent(id, 'done');
      continue;
    }
    try {
      if ((await completeIntent(deps, approval)) !== 'already') completed += 1;
    } catch (err) {
      deps.logger.warn({ err, approval: id }, 'approved job still not queued; next sweep retries');
    }
  }
  if (completed) deps.logger.info({ completed }, 'approved jobs queued by the sweep');
  return completed;
}
