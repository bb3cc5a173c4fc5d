/**
 * Whether a step with a `when:` starts now, as the walk (walk.ts) asks when the step
 * would start: it waits while an earlier step is not over, is skipped (with its reason,
 * in its state and the timeline) when the condition is false, and goes ahead — with a
 * note in the timeline — when the evidence was not observed. Pure, on the run's clone.
 */
import type { RunbookRun, StepState } from '../../domain/runbook-run.js';
import type { Runbook, RunbookStep } from '../../domain/runbook.js';
import { evaluateCondition } from './conditions.js';
import { fill } from './match.js';

/**
 * A step's `when:` as it would start: it waits while an earlier step is not over (a
 * condition reads them); false skips it (the walk posts why); unknown lets it go
 * ahead with a note in the timeline — never skip on missing evidence.
 */
export function gate(
  run: RunbookRun,
  runbook: Runbook,
  i: number,
  settled: boolean,
  now: number,
): 'go' | 'wait' | { skipped: string } {
  const step = runbook.steps[i] as RunbookStep;
  if (!step.when) return 'go';
  if (!settled) return 'wait';
  const verdict = evaluateCondition(step.when, run, runbook, i);
  if (verdict.result === 'true') return 'go';
  const title = fill(step.title, run.params);
  if (verdict.result === 'unknown') {
    run.timeline.push({
      at: now,
      text: `${title}: condition could not be evaluated: ${verdict.reason}; the step goes ahead`,
    });
    return 'go';
  }
  skipByCondition(run, run.steps[i] as StepState, step, verdict.reason, now);
  return { skipped: verdict.reason };
}

function skipByCondition(
  run: RunbookRun,
  state: StepState,
  step: RunbookStep,
  reason: string,
  now: number,
) {
  state.status = 'skipped';
  state.skippedBy = 'condition';
  state.summary = `skipped: ${reason}`;
  state.at = now;
  run.timeline.push({ at: now, text: `${fill(step.title, run.params)}: skipped: ${reason}` });
}
