/**
 * No run waits for ever. The sweep reads the open runs from their index (no keyspace
 * SCAN), judges each (operations/runbooks/overdue.ts) and ends what waits past its
 * bound, visibly in the run's thread: a step whose approval expired, a step whose job
 * gave no result in time (it failed, or its end never reached the run), a run with no
 * progress for a day. Each change is stored by compare-and-set, so two sweeps (or a
 * sweep and a late event) end a step once; a run in bounds is not touched.
 */
import type { RunbookRun } from '../../domain/runbook-run.js';
import type { Runbook } from '../../domain/runbook.js';
import {
  overdue,
  type ApprovalFacts,
  type OverdueBounds,
} from '../../operations/runbooks/overdue.js';
import { approvalState } from '../../state/approvals.js';
import { approvalTtlMs } from '../approvals/expiry.js';
import { forgetOpenRun, openRunIds, readRun } from '../../state/runbook-runs.js';
import { runContext, type RunbookEngineDeps, type RunContext } from './context.js';
import { stepApprovalId } from './ids.js';
import { endOverdue } from './end-overdue.js';

/** A run with no change for this long is abandoned (a manual step nobody ticked off). */
export const RUN_STALE_MS = 24 * 3_600_000;
/** Nothing running or waiting for this long: the events' effects were lost; walk it on. */
export const RUN_IDLE_MS = 2 * 60_000;
/** A step's job bound when the catalogue gives none. */
const DEFAULT_JOB_BOUND_MS = 3_600_000;
/** Added to a job's bound: time in the queue, behind other maintenance. */
const QUEUE_GRACE_MS = 10 * 60_000;
const PAGE = 200;
const MAX_PER_SWEEP = 5_000;

export interface RunSweepDeps extends RunbookEngineDeps {
  /** RUN_STALE_MS by default. */
  staleRunMs?: number;
}

/** What sweeps the runs: the runbook engine, which holds their runbooks and bounds. */
export interface RunSweeper {
  sweepRuns(): Promise<number>;
}

const isRunSweeper = (x: unknown): x is RunSweeper =>
  typeof (x as Partial<RunSweeper> | undefined)?.sweepRuns === 'function';

/**
 * The task in app/sweep.ts's SWEEPS: the engine the sweeper is given (as `runbooks`)
 * sweeps its open runs. Nothing to do in a process without one.
 */
export async function sweepRunbookRuns(deps: { runbooks?: object }): Promise<number> {
  return isRunSweeper(deps.runbooks) ? deps.runbooks.sweepRuns() : 0;
}

/** Sweeps every open run once; returns how many it changed. */
export async function sweepRuns(deps: RunSweepDeps): Promise<number> {
  const ctx = runContext(deps);
  const now = ctx.now();
  let changed = 0;
  for (let offset = 0; offset < MAX_PER_SWEEP; offset += PAGE) {
    const page = { until: now - RUN_IDLE_MS, offset, count: PAGE };
    const ids = await openRunIds(deps.redis, deps.prefix, page);
    for (const id of ids) changed += await sweepOne(ctx, deps, id);
    if (ids.length < PAGE) break;
  }
  return changed;
}

async function sweepOne(ctx: RunContext, deps: RunSweepDeps, id: string): Promise<number> {
  try {
    const run = await readRun(deps.redis, deps.prefix, id);
    if (!run || run.finishedAt !== undefined) {
      await forgetOpenRun(deps.redis, deps.prefix, id);
      return 0;
    }
    if (!deps.runbooks.some((r) => r.id === run.runbook)) {
      // Its runbook left the catalogue (runbooks.dir changed): nothing can walk it any more.
      deps.logger.warn({ run: id, runbook: run.runbook }, 'runbook sweep: runbook gone; run left');
      await forgetOpenRun(deps.redis, deps.prefix, id);
      return 0;
    }
    const runbook = ctx.runbookOf(run);
    const now = ctx.now();
    const found = overdue(
      run,
      runbook,
      await approvalsOf(ctx, run, runbook),
      boundsOf(deps, run),
      now,
    );
    for (const verdict of found) await endOverdue(ctx, run, verdict);
    return found.length ? 1 : 0;
  } catch (err) {
    deps.logger.error({ err, run: id }, 'runbook sweep: run not swept');
    return 0;
  }
}

function boundsOf(deps: RunSweepDeps, run: RunbookRun): OverdueBounds {
  return {
    jobMs: (job) => (deps.jobBoundMs?.(job, run.cluster) ?? DEFAULT_JOB_BOUND_MS) + QUEUE_GRACE_MS,
    approvalMs: (step) => approvalTtlMs(deps.config, step) + RUN_IDLE_MS,
    idleMs: RUN_IDLE_MS,
    staleMs: deps.staleRunMs ?? RUN_STALE_MS,
  };
}

/** The approval of each action step that waits for one, as the store has it now. */
async function approvalsOf(
  ctx: RunContext,
  run: RunbookRun,
  runbook: Runbook,
): Promise<Record<string, ApprovalFacts | undefined>> {
  const facts: Record<string, ApprovalFacts | undefined> = {};
  for (const [i, step] of runbook.steps.entries()) {
    if (step.kind !== 'action' || run.steps[i]?.status !== 'waiting') continue;
    const a = await ctx.deps.approvals.getApproval(stepApprovalId(run, step.id));
    facts[step.id] = a && {
      state: approvalState(a, ctx.now()),
      expiresAt: a.expiresAt,
      ...(a.decidedBy ? { decidedBy: a.decidedBy } : {}),
    };
  }
  return facts;
}
