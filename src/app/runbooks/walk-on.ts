/**
 * Moving a run forward: store what walk.ts decides by compare-and-set, and let only
 * the winner carry the effects out; a step ended (its job, or the sweep) is stored the
 * same way before the run walks on.
 */
import type { RunbookRun } from '../../domain/runbook-run.js';
import {
  advance,
  stepFinished,
  type Effect,
  type StepOutcome,
} from '../../operations/runbooks/walk.js';
import { changeRun, readRun } from '../../state/runbook-runs.js';
import { carryOut, type NotEnqueued } from './carry-out.js';
import { postResultsInOrder } from './step-results.js';
import type { RunContext } from './context.js';

export interface StepLink {
  run: string;
  step: string;
}

/** Starts what can start now and carries it out; a job that could not be asked for fails its step. */
export async function walkOn(ctx: RunContext, runId: string): Promise<void> {
  let effects: Effect[] = [];
  const stored = await changeRun(ctx.deps.redis, ctx.deps.prefix, runId, (run) => {
    if (!run) return undefined;
    const walked = advance(run, ctx.runbookOf(run), ctx.now());
    effects = walked.effects;
    return walked.effects.length ? walked.run : undefined;
  });
  if (!stored) return;
  // Results due come before what follows them (the next step, the post-mortem), whichever
  // replica or handler stored the step's end.
  await postResultsInOrder(ctx, stored);
  const failed: NotEnqueued[] = [];
  for (const effect of effects) {
    const notEnqueued = await carryOut(ctx, stored, effect);
    if (notEnqueued) failed.push(notEnqueued);
  }
  await ctx.refreshChecklist(stored);
  for (const f of failed)
    await endStep(ctx, { run: runId, step: f.step }, { ok: false, reason: f.reason });
}

/**
 * A step's job ended (or the sweep gave up on it). `before` runs once the change is
 * stored and before the run walks on: the sweep says there why it ended the step. The
 * step results now due are posted, in step order; a repeat (a re-delivered job end
 * whose change was stored before a crash) posts them again, a no-op when they were.
 */
export async function endStep(
  ctx: RunContext,
  link: StepLink,
  outcome: StepOutcome,
  before?: (run: RunbookRun) => Promise<void>,
): Promise<void> {
  const run = await changeRun(ctx.deps.redis, ctx.deps.prefix, link.run, (r) =>
    r ? stepFinished(r, ctx.runbookOf(r), link.step, outcome, ctx.now()) : undefined,
  );
  if (!run) {
    const current = await readRun(ctx.deps.redis, ctx.deps.prefix, link.run);
    if (current) await postResultsInOrder(ctx, current);
    return;
  }
  await before?.(run);
  await postResultsInOrder(ctx, run);
  const result = outcome.ok ? outcome.severity : `failed: ${outcome.reason}`;
  await ctx.audit(run, 'runbook.step', link.step, result);
  await ctx.refreshChecklist(run);
  await walkOn(ctx, run.id);
}
