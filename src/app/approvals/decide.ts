/**
 * An Approve / Reject click, as a workflow. The decision and its job's intent are one
 * atomic step in Redis (state/approvals.ts), so a double click or two approvers at
 * once give one decision; then the job is enqueued before anything else happens
 * (complete-intent.ts). A click on a request that is approved but whose job is not
 * queued yet (the deciding process died) queues it. Whoever may not decide is told
 * why, and nothing changes. Returns what to tell the clicker, if anything.
 */
import type { Approval, ApproverCheck } from '../../domain/approval.js';
import { describeError } from '../../domain/errors.js';
import { mention } from '../../render/block-kit/index.js';
import type { DecideOutcome } from '../../state/approvals.js';
import { announceDecision, announceExpiry } from './announce.js';
import { completeIntent, type IntentEnd } from './complete-intent.js';
import type { ApprovalWorkflowDeps } from './deps.js';

export interface DecisionClick {
  approvalId: string;
  /** The clicked message (the request), from the click's payload. */
  messageTs?: string;
  decision: 'approve' | 'reject';
  userId: string;
}

export type DecideDeps = ApprovalWorkflowDeps & { isApprover: ApproverCheck };

const decided = (a?: Approval) =>
  `This request was already ${a?.status ?? 'decided'}${a?.decidedBy ? ` by ${mention(a.decidedBy)}` : ''}`;

const REFUSALS: Partial<Record<DecideOutcome, (a?: Approval) => string>> = {
  'not-approver': () =>
    'Only approvers (QUORUM_APPROVERS) can decide this request. Nothing was changed.',
  'own-request': () =>
    'You asked for this, so someone else has to approve it (four eyes). Nothing was changed.',
  'already-decided': (a) => `${decided(a)}. Nothing was changed.`,
  expired: () =>
    'This request has expired. Run the command again to ask anew. Nothing was changed.',
  'not-found': () => 'This request is unknown (or too old). Nothing was changed.',
};

export async function decide(deps: DecideDeps, click: DecisionClick): Promise<string | undefined> {
  const result = await deps.approvals.decideApproval(click.approvalId, {
    decision: click.decision,
    by: click.userId,
    approvers: deps.isApprover,
  });
  const { outcome } = result;
  const approval = result.approval && (await learnMessage(deps, result.approval, click.messageTs));
  if (!approval) return REFUSALS['not-found']?.();
  if (outcome === 'approved') return queue(deps, approval, (end) => ANSWERS[end]);
  if (outcome === 'rejected') {
    await announceDecision(deps, approval);
    return undefined;
  }
  if (outcome === 'already-decided' && approval.intent === 'pending') {
    // Approved, but its job was never queued: this click finishes the decision's work.
    return queue(deps, approval, (end) =>
      end === 'already'
        ? REFUSALS['already-decided']?.(approval)
        : `${decided(approval)}; ${LATE[end]}`,
    );
  }
  if (outcome === 'expired') await announceExpiry(deps, approval);
  return REFUSALS[outcome]?.(approval);
}

const ANSWERS: Record<IntentEnd, string | undefined> = {
  queued: undefined,
  already: undefined,
  failed:
    'Approved, but its job could not be queued (see the request message). Nothing was changed.',
};

const LATE: Record<Exclude<IntentEnd, 'already'>, string> = {
  queued: 'its job had not been queued yet, and now is.',
  failed: 'its job could not be queued (see the request message). Nothing was changed.',
};

async function queue(
  deps: DecideDeps,
  approval: Approval,
  answer: (end: IntentEnd) => string | undefined,
): Promise<string | undefined> {
  try {
    return answer(await completeIntent(deps, approval));
  } catch (err) {
    // The decision and its intent are recorded: the sweep queues the job once it can.
    deps.logger.warn({ err, approval: approval.id }, 'approved job not queued yet');
    return `Approved, but its job is not queued yet (${describeError(err)}). Quorum keeps trying; no need to click again.`;
  }
}

/** A request posted through the outbox learns its ts from a click on it (kept for later edits). */
async function learnMessage(
  deps: DecideDeps,
  approval: Approval,
  messageTs: string | undefined,
): Promise<Approval> {
  if (approval.messageTs || approval.messageRef || !messageTs) return approval;
  try {
    await deps.approvals.setApprovalMessage(approval.id, approval.channel, messageTs);
  } catch (err) {
    deps.logger.warn({ err, approval: approval.id }, 'request message ts not kept');
  }
  return { ...approval, messageTs };
}
