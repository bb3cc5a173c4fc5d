/**
 * Ending one overdue part of a run (a verdict of operations/runbooks/overdue.ts):
 * store the change by compare-and-set, and only if it won, say in the thread what
 * happened and what to do, edit the checklist and walk on (the post-mortem follows
 * when the run is over).
 */
import type { RunbookRun } from '../../domain/runbook-run.js';
import { filledStep, type RunbookStep } from '../../domain/runbook.js';
import { formatDuration } from '../../domain/units.js';
import type { Overdue } from '../../operations/runbooks/overdue.js';
import { runAbandoned, stepExpired } from '../../operations/runbooks/walk.js';
import {
  runAbandonedMessage,
  stepApprovalExpiredMessage,
  stepNoResultMessage,
  type StepAt,
} from '../../render/block-kit/runbook-stuck.js';
import { changeRun } from '../../state/runbook-runs.js';
import type { RunContext } from './context.js';
import { decideStep, postChecklist } from './events.js';
import { abandonedId, stepKey, stepRequestId } from './ids.js';
import { endStep, walkOn } from './walk-on.js';

export async function endOverdue(
  ctx: RunContext,
  run: RunbookRun,
  verdict: Overdue,
): Promise<void> {
  const link = (step: string) => ({ run: run.id, step });
  switch (verdict.type) {
    case 'decided':
      return decideStep(ctx, link(verdict.step), verdict.decision, verdict.by);
    case 'approval-expired':
      return expireApproval(ctx, run.id, verdict.step, verdict.at);
    case 'no-result': {
      const reason = `no result within ${formatDuration(verdict.boundMs)}`;
      const tell = (r: RunbookRun) =>
        ctx.post(
          r,
          `${stepKey(r, verdict.step)}-noresult`,
          stepNoResultMessage(
            r,
            stepAt(ctx, r, verdict.step),
            verdict.boundMs,
            stepRequestId(r, verdict.step),
          ),
        );
      return endStep(ctx, link(verdict.step), { ok: false, reason }, tell);
    }
    case 'idle':
      if (run.steps.every((s) => s.status === 'pending')) await postChecklist(ctx, run);
      return walkOn(ctx, run.id);
    case 'stale':
      return abandon(ctx, run.id, verdict.forMs);
  }
}

async function expireApproval(ctx: RunContext, runId: string, step: string, at: number) {
  const reason = 'approval expired, nobody decided';
  const run = await changeRun(ctx.deps.redis, ctx.deps.prefix, runId, (r) =>
    r ? stepExpired(r, ctx.runbookOf(r), step, reason, ctx.now()) : undefined,
  );
  if (!run) return;
  const message = stepApprovalExpiredMessage(run, stepAt(ctx, run, step), at);
  await ctx.post(run, `${stepKey(run, step)}-expired`, message);
  await ctx.audit(run, 'runbook.step', step, 'expired');
  await ctx.refreshChecklist(run);
  await walkOn(ctx, run.id);
}

async function abandon(ctx: RunContext, runId: string, forMs: number) {
  let open: string[] = [];
  const run = await changeRun(ctx.deps.redis, ctx.deps.prefix, runId, (r) => {
    if (!r) return undefined;
    open = r.steps.filter((s) => s.status === 'running' || s.status === 'waiting').map((s) => s.id);
    return runAbandoned(r, `no progress for ${formatDuration(forMs)}`, ctx.now());
  });
  if (!run) return;
  const steps = ctx
    .runbookOf(run)
    .steps.filter((s) => open.includes(s.id))
    .map((s) => filledStep(s, run.params));
  await ctx.post(run, abandonedId(run), runAbandonedMessage(run, forMs, steps));
  await ctx.audit(run, 'runbook.step', open.join(',') || '-', 'expired');
  await ctx.refreshChecklist(run);
  await walkOn(ctx, run.id);
}

function stepAt(ctx: RunContext, run: RunbookRun, stepId: string): StepAt {
  const steps = ctx.runbookOf(run).steps;
  const i = steps.findIndex((s) => s.id === stepId); // a verdict names a step of the runbook
  return { step: filledStep(steps[i] as RunbookStep, run.params), n: i + 1, of: steps.length };
}
