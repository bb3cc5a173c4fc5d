/**
 * Which parts of an open run wait past their bound, as a pure function of the run, the
 * state of its action steps' approvals and the clock. The sweep (app/runbooks/sweep.ts)
 * reads the facts, asks this, and ends what it names through walk.ts:
 *
 * - a waiting action step whose approval was decided but the run never heard: decide it;
 * - a waiting action step whose approval expired (or was never recorded): it expires;
 * - a running step past its job's bound (timeout × attempts and retries, and some
 *   queueing): it failed — its job ended without the run hearing, or never ran;
 * - nothing running or waiting, yet not finished (an event stored, its effects lost):
 *   walk it on;
 * - no change at all for a long time (a manual step nobody ticked off): abandon it.
 */
import {
  isTerminal,
  lastChangeOf,
  type RunbookRun,
  type StepState,
} from '../../domain/runbook-run.js';
import type { Runbook, RunbookStep } from '../../domain/runbook.js';

type ActionStep = Extract<RunbookStep, { kind: 'action' }>;

/** An action step's approval as the store has it now. */
export interface ApprovalFacts {
  state: 'pending' | 'approved' | 'rejected' | 'expired';
  expiresAt: number;
  decidedBy?: string;
}

export interface OverdueBounds {
  /** How long a step's job may take from its start to its end, every attempt included. */
  jobMs(job: string): number;
  /** How long an action step with no approval on record may wait (its approval's expiry). */
  approvalMs(step: ActionStep): number;
  /** Nothing running or waiting for this long: the run is walked on. */
  idleMs: number;
  /** No change at all for this long: the run is abandoned. */
  staleMs: number;
}

export type Overdue =
  | { type: 'decided'; step: string; decision: 'approved' | 'rejected'; by: string }
  | { type: 'approval-expired'; step: string; at: number }
  | { type: 'no-result'; step: string; boundMs: number }
  | { type: 'idle' }
  | { type: 'stale'; forMs: number };

export function overdue(
  run: RunbookRun,
  runbook: Runbook,
  approvals: Readonly<Record<string, ApprovalFacts | undefined>>,
  bounds: OverdueBounds,
  now: number,
): Overdue[] {
  if (run.finishedAt !== undefined) return [];
  const found: Overdue[] = [];
  runbook.steps.forEach((step, i) => {
    const state = run.steps[i];
    if (!state || state.id !== step.id || isTerminal(state.status)) return;
    const verdict = overdueStep(step, state, approvals[step.id], bounds, now);
    if (verdict) found.push(verdict);
  });
  if (found.length) return found;
  const forMs = now - lastChangeOf(run);
  const open = run.steps.some((s) => s.status === 'running' || s.status === 'waiting');
  if (forMs >= bounds.staleMs) return [{ type: 'stale', forMs }];
  return !open && forMs >= bounds.idleMs ? [{ type: 'idle' }] : [];
}

function overdueStep(
  step: RunbookStep,
  state: StepState,
  approval: ApprovalFacts | undefined,
  bounds: OverdueBounds,
  now: number,
): Overdue | undefined {
  if (step.kind === 'manual') return undefined; // waits for Done: only the stale bound ends it
  const since = state.at ?? now;
  if (state.status === 'running') {
    const boundMs = bounds.jobMs(step.job);
    return now - since > boundMs ? { type: 'no-result', step: step.id, boundMs } : undefined;
  }
  if (step.kind !== 'action' || state.status !== 'waiting') return undefined;
  if (approval?.state === 'approved' || approval?.state === 'rejected') {
    return {
      type: 'decided',
      step: step.id,
      decision: approval.state,
      by: approval.decidedBy ?? '?',
    };
  }
  if (approval?.state === 'expired')
    return { type: 'approval-expired', step: step.id, at: approval.expiresAt };
  const waitMs = bounds.approvalMs(step);
  if (!approval && now - since > waitMs)
    return { type: 'approval-expired', step: step.id, at: since + waitMs };
  return undefined;
}
