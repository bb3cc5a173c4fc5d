/**
 * The runbook engine: carries out what operations/runbooks/walk.ts decides. It stores
 * each change of a run by compare-and-set (state/runbook-runs.ts) and only the winner
 * acts; every action is idempotent besides (ids.ts), so a repeated event or a second
 * replica changes nothing. Alerts and `/runbook run` start runs, the worker's afterJob
 * hook ends steps, the approval workflow decides action steps, clicks tick off manual
 * steps, and the sweep (sweep.ts) ends whatever waits past its bound.
 */
import type { RunbookRun } from '../../domain/runbook-run.js';
import type { Runbook } from '../../domain/runbook.js';
import type { StepOutcome } from '../../operations/runbooks/walk.js';
import { runContext } from './context.js';
import { decideStep, startRun, tickOff, type StartRun } from './events.js';
import { runAnyway } from './run-anyway.js';
import { sweepRuns, type RunSweepDeps } from './sweep.js';
import { keepResult, type JobEnd } from './step-results.js';
import { endStep, type StepLink } from './walk-on.js';

export type { RunbookEngineDeps } from './context.js';
export type { StartRun } from './events.js';

export interface RunbookEngine {
  readonly runbooks: readonly Runbook[];
  start(input: StartRun): Promise<RunbookRun>;
  /**
   * A step's job ended (called by the worker). With `end`, the step's result message is
   * kept first and posted in step order (step-results.ts); the worker posts none itself.
   */
  jobEnded(link: StepLink, outcome: StepOutcome, end?: JobEnd): Promise<void>;
  /** An action step's approval was decided (called by the approval workflow). */
  decided(link: StepLink, decision: 'approved' | 'rejected', by: string): Promise<void>;
  /** A manual step's Done button. False when it was not waiting (a second click, an unknown run). */
  manualDone(runId: string, stepId: string, by: string): Promise<boolean>;
  /**
   * Run anyway on a step its condition skipped: an action asks for approval in the
   * thread (not tied to the run), a diagnosis runs. What to tell the clicker, if anything.
   */
  runAnyway(runId: string, stepId: string, by: string): Promise<string | undefined>;
  /** Ends what waits past its bound in the open runs (the sweeper calls it); how many runs it changed. */
  sweepRuns(): Promise<number>;
}

export function createRunbookEngine(deps: RunSweepDeps): RunbookEngine {
  const ctx = runContext(deps);
  return {
    runbooks: deps.runbooks,
    start: (input) => startRun(ctx, input),
    jobEnded: async (link, outcome, end) => {
      if (end) await keepResult(ctx, link, end);
      await endStep(ctx, link, outcome);
    },
    decided: (link, decision, by) => decideStep(ctx, link, decision, by),
    manualDone: (runId, stepId, by) => tickOff(ctx, runId, stepId, by),
    runAnyway: (runId, stepId, by) => runAnyway(ctx, runId, stepId, by),
    sweepRuns: () => sweepRuns(deps),
  };
}
