/**
 * The sweeps: work that a crash or a silent user can leave waiting, finished or ended
 * visibly. transport/queue/sweeper.ts runs them all once per interval, however many
 * bots and workers run. To add one, add a line to SWEEPS (and what it needs to SweepDeps).
 */
import { describeError } from '../domain/errors.js';
import { completeApprovalIntents, type IntentSweepDeps } from './approvals/complete-intents.js';
import { endExpiredApprovals } from './approvals/end-expired.js';
import { sweepRunbookRuns } from './runbooks/sweep.js';

export type SweepDeps = IntentSweepDeps;

export interface Sweep {
  name: string;
  /** Returns how many things it finished or ended. */
  run(deps: SweepDeps): Promise<number>;
}

export const SWEEPS: readonly Sweep[] = [
  { name: 'approval-intents', run: completeApprovalIntents },
  { name: 'approval-expiry', run: endExpiredApprovals },
  { name: 'runbook-runs', run: sweepRunbookRuns },
];

/** Runs every sweep, one after the other; a failing one is logged and the rest still run. */
export async function runSweeps(
  deps: SweepDeps,
  sweeps: readonly Sweep[] = SWEEPS,
): Promise<Record<string, number | string>> {
  const results: Record<string, number | string> = {};
  for (const sweep of sweeps) {
    try {
      results[sweep.name] = await sweep.run(deps);
    } catch (err) {
      deps.logger.warn({ err, sweep: sweep.name }, 'sweep failed; the next interval retries');
      results[sweep.name] = `failed: ${describeError(err)}`;
    }
  }
  return results;
}
