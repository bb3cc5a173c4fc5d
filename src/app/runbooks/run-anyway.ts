/**
 * Run anyway: a click on a step its condition skipped. An action step gets an ordinary
 * approval request in the run's thread (requested by the clicker, so a second person
 * approves); a diagnose step's job is enqueued. Neither is tied to the run any more —
 * it may have finished — so the job's result simply lands in the thread. Every name
 * derives from the run and step (ids.ts): a double click asks once. Returns what to
 * tell the clicker, if anything.
 */
import type { RunbookRun } from '../../domain/runbook-run.js';
import { filledStep, type RunbookStep } from '../../domain/runbook.js';
import { jobParams } from '../../operations/runbooks/walk.js';
import { approvalRequestMessage, escapeMrkdwn, textMessage } from '../../render/block-kit/index.js';
import { appendAudit } from '../../state/audit.js';
import { readRun } from '../../state/runbook-runs.js';
import { approvalTtlMs } from '../approvals/expiry.js';
import type { RunContext } from './context.js';
import { anywayApprovalId, anywayRequestId, stepKey } from './ids.js';

export async function runAnyway(
  ctx: RunContext,
  runId: string,
  stepId: string,
  by: string,
): Promise<string | undefined> {
  const run = await readRun(ctx.deps.redis, ctx.deps.prefix, runId);
  const at = run ? ctx.runbookOf(run).steps.findIndex((s) => s.id === stepId) : -1;
  const state = run?.steps[at];
  if (!run || !state) return 'That runbook run is unknown (or too old). Nothing was changed.';
  if (state.skippedBy !== 'condition')
    return 'That step was not skipped by its condition. Nothing was changed.';
  const step = filledStep(ctx.runbookOf(run).steps[at] as RunbookStep, run.params);
  if (step.kind === 'manual') return 'A manual step has nothing to run. Nothing was changed.';
  if (step.kind === 'diagnose') return enqueueAnyway(ctx, run, step, by);
  return askAnyway(ctx, run, step, by);
}

const target = (run: RunbookRun) => ({
  kind: 'slack' as const,
  channel: run.thread.channel,
  threadTs: run.thread.ts,
  threadRef: run.thread.ref,
});

async function enqueueAnyway(
  ctx: RunContext,
  run: RunbookRun,
  step: Extract<RunbookStep, { kind: 'diagnose' }>,
  by: string,
): Promise<string | undefined> {
  await ctx.deps.jobs.enqueue({
    kind: step.job,
    cluster: run.cluster,
    params: jobParams(step, run),
    requestId: anywayRequestId(run, step.id),
    requestedBy: by,
    target: target(run),
  });
  await ctx.audit(run, 'runbook.step', step.id, 'run anyway', by);
  return undefined;
}

async function askAnyway(
  ctx: RunContext,
  run: RunbookRun,
  step: Extract<RunbookStep, { kind: 'action' }>,
  by: string,
): Promise<string | undefined> {
  const { deps } = ctx;
  const key = `${stepKey(run, step.id)}-anyway`;
  if (deps.config.approvers.length === 0) {
    const text = `${escapeMrkdwn(step.title)} changes the cluster and needs a second person's approval, but nobody can approve: QUORUM_APPROVERS is empty.`;
    await ctx.post(run, `${key}-noapprovers`, textMessage(text));
    return undefined;
  }
  const id = anywayApprovalId(run, step.id);
  const ref = `${key}-approval`;
  const { approval, created } = await approvalOnce(deps.approvals, id, {
    id,
    cluster: run.cluster,
    action: step.job,
    params: jobParams(step, run),
    requestedBy: by,
    channel: run.thread.channel,
    messageRef: ref,
    ttlMs: approvalTtlMs(deps.config, step),
    threadTs: run.thread.ts,
    threadRef: run.thread.ref,
  });
  await ctx.post(run, ref, approvalRequestMessage(approval), ref);
  // Only the click that created the approval audits it; the others were told it exists.
  if (!created) return 'Already asked: the approval request is in the thread.';
  await appendAudit(deps.redis, deps.prefix, {
    type: 'approval.requested',
    who: by,
    cluster: run.cluster,
    action: step.job,
    params: { approval: id, run: run.id, step: step.id, anyway: 'yes' },
    at: ctx.now(),
  });
  return undefined;
}

type Approvals = RunContext['deps']['approvals'];

/** The approval `id`, created unless it exists; `created` only for the call that made it. */
async function approvalOnce(
  approvals: Approvals,
  id: string,
  input: Parameters<Approvals['createApproval']>[0],
) {
  const existing = await approvals.getApproval(id);
  if (existing) return { approval: existing, created: false };
  try {
    return { approval: await approvals.createApproval(input), created: true };
  } catch (err) {
    // Two clicks at once: the other one created it.
    const raced = await approvals.getApproval(id);
    if (raced) return { approval: raced, created: false };
    throw err;
  }
}
