/** Where a run stands (domain/run-standing.ts), as a pure function of the run and its runbook. */
import type { OpenStep, RunStanding } from '../../domain/run-standing.js';
import { isTerminal, type RunbookRun, type StepState } from '../../domain/runbook-run.js';
import { filledStep, type Runbook, type RunbookStep } from '../../domain/runbook.js';

export function runStanding(run: RunbookRun, runbook: Runbook): RunStanding {
  const pairs = runbook.steps.flatMap((raw, i) => {
    const state = run.steps[i];
    return state ? [{ step: filledStep(raw, run.params), state }] : [];
  });
  const finished = run.finishedAt !== undefined;
  const open: OpenStep[] = finished
    ? []
    : pairs
        .filter(({ step, state }) => !isTerminal(state.status) && step.phase !== 'postmortem')
        .map(({ step, state }) => openStep(step, state));
  const notDone = pairs
    .filter(({ state }) => isTerminal(state.status) && state.status !== 'done')
    .map(({ step, state }) => ({ title: step.title, why: state.summary ?? state.status }));
  return { finished, open, notDone, finalCheck: finalCheckOf(pairs) };
}

function openStep(step: RunbookStep, state: StepState): OpenStep {
  const untilDone = (step as { untilDone?: string }).untilDone;
  return {
    title: step.title,
    status: state.status as OpenStep['status'],
    kind: step.kind,
    ...(untilDone ? { untilDone } : {}),
  };
}

function finalCheckOf(pairs: { step: RunbookStep; state: StepState }[]) {
  const lastAction = pairs.findLastIndex(({ step }) => step.kind === 'action');
  if (lastAction === -1) return undefined;
  const check = pairs.slice(lastAction + 1).findLast(({ step }) => step.kind === 'diagnose');
  if (!check || check.state.status !== 'done' || !check.state.severity) return undefined;
  return {
    title: check.step.title,
    severity: check.state.severity,
    summary: check.state.summary ?? '',
  };
}
