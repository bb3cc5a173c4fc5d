/**
 * The events a run hears besides a step's end (walk-on.ts): its start, an action step's
 * approval decided, a manual step ticked off. Each is stored by compare-and-set first;
 * only the winner posts and walks on.
 */
import type { RunbookRun, RunThread } from '../../domain/runbook-run.js';
import { filledStep, type RunbookStep } from '../../domain/runbook.js';
import { findRunbook } from '../../operations/runbooks/load.js';
import { fill, type RunbookParams } from '../../operations/runbooks/match.js';
import { manualDone, newRun, stepDecided } from '../../operations/runbooks/walk.js';
import { checklistMessage, manualStepMessage } from '../../render/block-kit/runbook.js';
import { changeRun, readRun } from '../../state/runbook-runs.js';
import type { RunContext } from './context.js';
import { listRef, manualRef, newRunId } from './ids.js';
import { walkOn, type StepLink } from './walk-on.js';

export interface StartRun {
  runbook: string;
  cluster: string;
  params: RunbookParams;
  thread: RunThread;
  startedBy: string;
  /** Deterministic for alerts (one run per incident, however often it is started). */
  runId?: string;
}

export async function startRun(ctx: RunContext, input: StartRun): Promise<RunbookRun> {
  const { redis, prefix } = ctx.deps;
  const runbook = findRunbook(ctx.deps.runbooks, input.runbook);
  const runId = input.runId ?? newRunId(input.runbook, ctx.now());
  const created = await changeRun(redis, prefix, runId, (existing) =>
    existing
      ? undefined
      : newRun(runbook, {
          id: runId,
          cluster: input.cluster,
          params: input.params,
          thread: input.thread,
          startedBy: input.startedBy,
          startedAt: ctx.now(),
        }),
  );
  const run = created ?? (await readRun(redis, prefix, runId));
  if (!run) throw new Error(`runbook run ${runId} vanished`);
  if (created) {
    await postChecklist(ctx, run);
    await ctx.audit(run, 'runbook.started', run.runbook);
    await walkOn(ctx, run.id);
  }
  return run;
}

/** The checklist's first post (later versions edit it through its ref); posting it again is a no-op. */
export async function postChecklist(ctx: RunContext, run: RunbookRun): Promise<void> {
  const ref = listRef(run);
  await ctx.post(run, `${ref}-post`, checklistMessage(run, ctx.runbookOf(run)), ref);
}

/**
 * An action step's approval decided: approved, the step runs (the approval workflow
 * enqueues its job); rejected, it is skipped and the run walks on.
 */
export async function decideStep(
  ctx: RunContext,
  link: StepLink,
  decision: 'approved' | 'rejected',
  by: string,
): Promise<void> {
  const run = await changeRun(ctx.deps.redis, ctx.deps.prefix, link.run, (r) =>
    r ? stepDecided(r, link.step, decision, by, ctx.now()) : undefined,
  );
  if (!run) return;
  await ctx.refreshChecklist(run);
  if (decision === 'rejected') await walkOn(ctx, run.id);
}

/** A manual step's Done: its message shows who, and the run walks on. False when it was not waiting. */
export async function tickOff(
  ctx: RunContext,
  runId: string,
  stepId: string,
  by: string,
): Promise<boolean> {
  const run = await changeRun(ctx.deps.redis, ctx.deps.prefix, runId, (r) =>
    r ? manualDone(r, ctx.runbookOf(r), stepId, by, ctx.now()) : undefined,
  );
  if (!run) return false;
  const runbook = ctx.runbookOf(run);
  const at = runbook.steps.findIndex((s) => s.id === stepId);
  const step = filledStep(runbook.steps[at] as RunbookStep, run.params);
  const commands = step.kind === 'manual' ? step.commands.map((c) => fill(c, run.params)) : [];
  const ref = manualRef(run, stepId);
  const done = { by, at: ctx.now() };
  const message = manualStepMessage(run, step, commands, at + 1, runbook.steps.length, done);
  await ctx.thread(run).edit(ref, `${ref}-done`, message, true);
  await ctx.audit(run, 'runbook.step', stepId, 'done', by);
  await walkOn(ctx, run.id);
  return true;
}
