/**
 * Walking a runbook, as pure functions of a run: which steps start now, and what a
 * step's end, an approval decision or a ticked-off manual step changes. Steps run in
 * order; consecutive diagnose steps start together (they only read); an action waits
 * for an approval, a manual step for its Done button. Nothing waits for ever: a step
 * whose approval expired, or a run abandoned, ends (stepExpired, runAbandoned). A step
 * with a `when:` waits for every step before it and is skipped when what they found
 * says it is not needed (gate.ts); a step's end keeps what it found for that. The
 * engine (app/runbooks/) stores the new run and carries out the effects.
 */
import type { Severity } from '../../domain/report.js';
import {
  isTerminal,
  MAX_KEPT_FINDINGS,
  type FindingBrief,
  type RunbookRun,
  type StepState,
} from '../../domain/runbook-run.js';
import { filledStep, type Runbook, type RunbookStep } from '../../domain/runbook.js';
import { gate } from './gate.js';
import { fill } from './match.js';

export type Effect =
  /** Enqueue the step's job (a diagnose step). */
  | { type: 'run'; step: RunbookStep; params: Record<string, string | number | boolean> }
  /** Ask for approval of the step's job (an action step). */
  | { type: 'approve'; step: RunbookStep; params: Record<string, string | number | boolean> }
  /** Post the manual step with its commands and a Done button. */
  | { type: 'manual'; step: RunbookStep; commands: string[] }
  /** Its `when:` was false: post that it was skipped, and why (with Run anyway). */
  | { type: 'skipped'; step: RunbookStep; reason: string }
  /** The run ended: post the post-mortem summary. */
  | { type: 'finished' };

export interface Walked {
  run: RunbookRun;
  effects: Effect[];
}

const clone = (run: RunbookRun): RunbookRun => structuredClone(run);

export function newRun(
  runbook: Runbook,
  init: Omit<RunbookRun, 'runbook' | 'title' | 'steps' | 'timeline' | 'version'>,
): RunbookRun {
  return {
    ...init,
    runbook: runbook.id,
    title: runbook.title,
    steps: runbook.steps.map((s) => ({ id: s.id, status: 'pending' })),
    timeline: [
      {
        at: init.startedAt,
        text: `Runbook "${runbook.title}" started by ${init.startedBy}`,
        who: init.startedBy,
      },
    ],
    version: 0,
  };
}

/** Starts what can start now; finishes the run when every step is over. */
export function advance(input: RunbookRun, runbook: Runbook, now: number): Walked {
  const run = clone(input);
  const effects: Effect[] = [];
  if (run.finishedAt !== undefined) return { run, effects };
  for (let i = 0; i < run.steps.length; i++) {
    const state = run.steps[i] as StepState;
    const step = runbook.steps[i] as RunbookStep;
    if (isTerminal(state.status)) continue;
    if (state.status !== 'pending') {
      if (step.kind === 'diagnose') continue; // others may start beside a running diagnosis
      break;
    }
    const settled = run.steps.slice(0, i).every((s) => isTerminal(s.status));
    const gated = gate(run, runbook, i, settled, now);
    if (gated === 'wait') break;
    if (gated !== 'go') {
      effects.push({ type: 'skipped', step: filledStep(step, run.params), reason: gated.skipped });
      continue;
    }
    if (step.kind === 'diagnose') {
      if (!settled && !precededOnlyByDiagnoses(run, runbook, i)) break;
      start(run, state, 'running', now, `Started: ${fill(step.title, run.params)}`);
      effects.push({
        type: 'run',
        step: filledStep(step, run.params),
        params: jobParams(step, run),
      });
      continue;
    }
    if (!settled) break; // an action or manual step waits for everything before it
    if (step.kind === 'action') {
      start(run, state, 'waiting', now, `Approval requested: ${fill(step.title, run.params)}`);
      effects.push({
        type: 'approve',
        step: filledStep(step, run.params),
        params: jobParams(step, run),
      });
    } else {
      start(
        run,
        state,
        'waiting',
        now,
        `Waiting for the operator: ${fill(step.title, run.params)}`,
      );
      effects.push({
        type: 'manual',
        step: filledStep(step, run.params),
        commands: step.commands.map((c) => fill(c, run.params)),
      });
    }
    break;
  }
  if (run.steps.every((s) => isTerminal(s.status))) {
    run.finishedAt = now;
    run.outcome ??= 'completed';
    run.timeline.push({ at: now, text: `Runbook ${run.outcome}` });
    effects.push({ type: 'finished' });
  }
  return { run, effects };
}

/** Whether every step before `to` that is not over yet is a diagnosis (they may run side by side). */
function precededOnlyByDiagnoses(run: RunbookRun, runbook: Runbook, to: number) {
  for (let j = 0; j < to; j++) {
    if (isTerminal((run.steps[j] as StepState).status)) continue;
    if ((runbook.steps[j] as RunbookStep).kind !== 'diagnose') return false;
  }
  return true;
}

function start(
  run: RunbookRun,
  state: StepState,
  status: 'running' | 'waiting',
  now: number,
  text: string,
) {
  state.status = status;
  state.at = now;
  run.timeline.push({ at: now, text });
}

/** A step's `with:`, `{{param}}` filled in from the run: its job's parameters. */
export function jobParams(
  step: RunbookStep,
  run: RunbookRun,
): Record<string, string | number | boolean> {
  if (step.kind === 'manual') return {};
  return Object.fromEntries(
    Object.entries(step.with).map(([k, v]) => [k, typeof v === 'string' ? fill(v, run.params) : v]),
  );
}

export type StepOutcome =
  | {
      ok: true;
      severity: Severity;
      summary: string;
      /** What the report found, for the `when:` of later steps. */
      findings?: FindingBrief[];
      metrics?: Record<string, number>;
    }
  | { ok: false; reason: string };

/** A step's job ended. A failed action stops the run: what follows assumed it worked. */
export function stepFinished(
  input: RunbookRun,
  runbook: Runbook,
  stepId: string,
  outcome: StepOutcome,
  now: number,
): RunbookRun | undefined {
  const run = clone(input);
  const state = run.steps.find((s) => s.id === stepId);
  const step = runbook.steps.find((s) => s.id === stepId);
  if (!state || !step || isTerminal(state.status)) return undefined; // a repeat: nothing changes
  state.at = now;
  if (outcome.ok) {
    state.status = 'done';
    state.severity = outcome.severity;
    state.summary = outcome.summary;
    if (outcome.findings) state.findings = outcome.findings.slice(0, MAX_KEPT_FINDINGS);
    if (outcome.metrics) state.metrics = { ...outcome.metrics };
    run.timeline.push({ at: now, text: `${fill(step.title, run.params)}: ${outcome.summary}` });
    return run;
  }
  state.status = 'failed';
  state.summary = outcome.reason;
  run.timeline.push({ at: now, text: `${fill(step.title, run.params)} failed: ${outcome.reason}` });
  if (step.kind === 'action') stop(run, now, 'an action failed');
  return run;
}

/** An approval decision on an action step: approved runs it (its job is enqueued), rejected skips it. */
export function stepDecided(
  input: RunbookRun,
  stepId: string,
  decision: 'approved' | 'rejected',
  by: string,
  now: number,
): RunbookRun | undefined {
  const run = clone(input);
  const state = run.steps.find((s) => s.id === stepId);
  if (!state || state.status !== 'waiting') return undefined;
  state.by = by;
  state.at = now;
  state.status = decision === 'approved' ? 'running' : 'skipped';
  if (decision === 'rejected') state.summary = `rejected by ${by}`;
  run.timeline.push({ at: now, text: `${stepId} ${decision} by ${by}`, who: by });
  return run;
}

/** A manual step ticked off. */
export function manualDone(
  input: RunbookRun,
  runbook: Runbook,
  stepId: string,
  by: string,
  now: number,
): RunbookRun | undefined {
  const run = clone(input);
  const state = run.steps.find((s) => s.id === stepId);
  const step = runbook.steps.find((s) => s.id === stepId);
  if (!state || step?.kind !== 'manual' || state.status !== 'waiting') return undefined;
  state.status = 'done';
  state.by = by;
  state.at = now;
  state.summary = `done by ${by}`;
  run.timeline.push({ at: now, text: `${fill(step.title, run.params)}: done by ${by}`, who: by });
  return run;
}

/**
 * A waiting step that can no longer go on (its approval expired unanswered): it is over,
 * and so is the run, since the steps after it assumed it ran.
 */
export function stepExpired(
  input: RunbookRun,
  runbook: Runbook,
  stepId: string,
  reason: string,
  now: number,
): RunbookRun | undefined {
  const run = clone(input);
  const state = run.steps.find((s) => s.id === stepId);
  const step = runbook.steps.find((s) => s.id === stepId);
  if (!state || !step || state.status !== 'waiting') return undefined;
  state.status = 'expired';
  state.at = now;
  state.summary = reason;
  run.timeline.push({ at: now, text: `${fill(step.title, run.params)}: ${reason}` });
  stop(run, now, `${fill(step.title, run.params)} did not run`);
  return run;
}

/** A run with no progress for too long: each step still open expires, the rest are skipped. */
export function runAbandoned(
  input: RunbookRun,
  reason: string,
  now: number,
): RunbookRun | undefined {
  if (input.finishedAt !== undefined) return undefined;
  const run = clone(input);
  for (const s of run.steps) {
    if (s.status === 'pending') s.status = 'skipped';
    if (s.status !== 'running' && s.status !== 'waiting') continue;
    s.status = 'expired';
    s.at = now;
    s.summary = reason;
  }
  run.outcome = 'stopped';
  run.timeline.push({ at: now, text: `Runbook stopped: ${reason}` });
  return run;
}

function stop(run: RunbookRun, now: number, why: string) {
  run.outcome = 'stopped';
  for (const s of run.steps) if (s.status === 'pending') s.status = 'skipped';
  run.timeline.push({
    at: now,
    text: `Runbook stopped: ${why}; the remaining steps were not started`,
  });
}
