/**
 * Performing one Effect of operations/runbooks/walk.ts: enqueue a diagnose step's job,
 * ask for an action step's approval, post a manual step with its Done button, post a
 * step its condition skipped (with Run anyway), or post the post-mortem. Every name derives from the run and step (ids.ts), so carrying an
 * effect out twice acts once.
 */
import type { RunbookRun } from '../../domain/runbook-run.js';
import type { RunbookStep } from '../../domain/runbook.js';
import type { Effect } from '../../operations/runbooks/walk.js';
import { approvalRequestMessage, escapeMrkdwn, textMessage } from '../../render/block-kit/index.js';
import {
  manualStepMessage,
  postMortemMessage,
  skippedStepMessage,
  stepStartedMessage,
} from '../../render/block-kit/runbook.js';
import { appendAudit } from '../../state/audit.js';
import { readRunAlerts } from '../../state/runbook-runs.js';
import { approvalTtlMs } from '../approvals/expiry.js';
import type { RunContext } from './context.js';
import { manualRef, postMortemId, stepApprovalId, stepKey, stepRequestId } from './ids.js';

type Params = Record<string, string | number | boolean>;

/** A step whose job could not even be asked for: the run treats it as failed. */
export interface NotEnqueued {
  step: string;
  reason: string;
}

export async function carryOut(
  ctx: RunContext,
  run: RunbookRun,
  effect: Effect,
): Promise<NotEnqueued | undefined> {
  if (effect.type === 'finished') {
    const alerts = await readRunAlerts(ctx.deps.redis, ctx.deps.prefix, run.id);
    await ctx.post(run, postMortemId(run), postMortemMessage(run, alerts));
    await ctx.audit(run, 'runbook.finished', run.runbook, run.outcome);
    return undefined;
  }
  const steps = ctx.runbookOf(run).steps;
  const n = steps.findIndex((s) => s.id === effect.step.id) + 1;
  const key = stepKey(run, effect.step.id);
  if (effect.type === 'skipped') {
    const m = skippedStepMessage(run, effect.step, effect.reason, n, steps.length);
    await ctx.post(run, `${key}-skipped`, m);
    await ctx.audit(run, 'runbook.step', effect.step.id, `skipped: ${effect.reason}`);
    return undefined;
  }
  if (effect.type === 'manual') {
    const m = manualStepMessage(run, effect.step, effect.commands, n, steps.length);
    await ctx.post(run, key, m, manualRef(run, effect.step.id));
    return undefined;
  }
  await ctx.post(run, `${key}-intro`, stepStartedMessage(effect.step, n, steps.length));
  if (effect.type === 'run') return enqueueStep(ctx, run, effect.step, effect.params);
  await askApproval(ctx, run, effect.step, effect.params);
  return undefined;
}

async function enqueueStep(
  ctx: RunContext,
  run: RunbookRun,
  step: RunbookStep,
  params: Params,
): Promise<NotEnqueued | undefined> {
  if (step.kind === 'manual') return undefined;
  try {
    await ctx.deps.jobs.enqueue({
      kind: step.job,
      cluster: run.cluster,
      params,
      requestId: stepRequestId(run, step.id),
      requestedBy: run.startedBy,
      target: {
        kind: 'slack',
        channel: run.thread.channel,
        threadTs: run.thread.ts,
        threadRef: run.thread.ref,
      },
      runbook: { run: run.id, step: step.id },
    });
    return undefined;
  } catch (err) {
    ctx.deps.logger.error(
      { err, run: run.id, step: step.id },
      'runbook step could not be enqueued',
    );
    return { step: step.id, reason: (err as Error).message };
  }
}

async function askApproval(ctx: RunContext, run: RunbookRun, step: RunbookStep, params: Params) {
  if (step.kind !== 'action') return;
  const { deps } = ctx;
  const key = stepKey(run, step.id);
  if (deps.config.approvers.length === 0) {
    const text = `${escapeMrkdwn(step.title)} changes the cluster and needs a second person's approval, but nobody can approve: QUORUM_APPROVERS is empty. Do it by hand if you must, or ask an admin to set approvers.`;
    await ctx.post(run, `${key}-noapprovers`, textMessage(text));
    return;
  }
  const id = stepApprovalId(run, step.id);
  // Posted through the outbox under a ref: the approval workflow edits it by that ref.
  const ref = `${key}-approval`;
  const approval =
    (await deps.approvals.getApproval(id)) ??
    (await deps.approvals.createApproval({
      id,
      cluster: run.cluster,
      action: step.job,
      params,
      requestedBy: run.startedBy,
      channel: run.thread.channel,
      messageRef: ref,
      ttlMs: approvalTtlMs(deps.config, step),
      threadTs: run.thread.ts,
      threadRef: run.thread.ref,
      runbook: { run: run.id, step: step.id },
    }));
  await ctx.post(run, ref, approvalRequestMessage(approval), ref);
  await appendAudit(deps.redis, deps.prefix, {
    type: 'approval.requested',
    who: run.startedBy,
    cluster: run.cluster,
    action: step.job,
    params: { approval: id, run: run.id },
    at: ctx.now(),
  });
}
