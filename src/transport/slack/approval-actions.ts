/**
 * Approve / Reject clicks. The decision is atomic in Redis (state/approvals.ts): a
 * double click or two approvers at once give one decision and one run. Whoever may
 * not decide gets an ephemeral explanation and nothing changes.
 */
import type {
  Approval,
  ApprovalStore,
  ApproverCheck,
  DecideOutcome,
} from '../../state/approvals.js';
import { appendAudit } from '../../state/audit.js';
import {
  approvalDecidedMessage,
  approvalExpiredMessage,
  mention,
} from '../../render/block-kit/index.js';
import { enqueueJob } from '../queue/enqueue.js';
import type { RunbookEngine } from '../queue/runbook-engine.js';
import type { IntakeDeps } from './intake.js';
import type { WebClient } from './web-client.js';

export interface ApprovalClick {
  approvalId: string;
  /** The clicked message (the request), from the click's payload. */
  messageTs?: string;
  decision: 'approve' | 'reject';
  userId: string;
  client: WebClient;
  tell(text: string): Promise<void>;
}

const REFUSALS: Partial<Record<DecideOutcome, (a?: Approval) => string>> = {
  'not-approver': () =>
    'Only approvers (QUORUM_APPROVERS) can decide this request. Nothing was changed.',
  'own-request': () =>
    'You asked for this, so someone else has to approve it (four eyes). Nothing was changed.',
  'already-decided': (a) =>
    `This request was already ${a?.status ?? 'decided'}${a?.decidedBy ? ` by ${mention(a.decidedBy)}` : ''}. Nothing was changed.`,
  expired: () =>
    'This request has expired. Run the command again to ask anew. Nothing was changed.',
  'not-found': () => 'This request is unknown (or too old). Nothing was changed.',
};

export async function handleApprovalClick(
  deps: IntakeDeps & {
    approvals: ApprovalStore;
    isApprover: ApproverCheck;
    engine?: RunbookEngine;
  },
  click: ApprovalClick,
): Promise<void> {
  const result = await deps.approvals.decideApproval(click.approvalId, {
    decision: click.decision,
    by: click.userId,
    approvers: deps.isApprover,
  });
  const { outcome } = result;
  // A request posted through the outbox (a runbook step) learns its ts from the click.
  const approval =
    result.approval && !result.approval.messageTs && click.messageTs
      ? { ...result.approval, messageTs: click.messageTs }
      : result.approval;
  const refusal = REFUSALS[outcome];
  if (refusal) {
    if (outcome === 'expired' && approval?.messageTs)
      await update(click.client, approval, approvalExpiredMessage(approval));
    await click.tell(refusal(approval));
    return;
  }
  if (!approval) return;
  await appendAudit(deps.redis, deps.prefix, {
    type: 'approval.decided',
    who: click.userId,
    cluster: approval.cluster,
    action: approval.action,
    outcome,
    params: { approval: approval.id },
    at: Date.now(),
  });
  if (approval.messageTs) await update(click.client, approval, approvalDecidedMessage(approval));
  if (approval.runbook && deps.engine) {
    const decision = outcome === 'approved' ? 'approved' : 'rejected';
    await deps.engine.decided(approval.runbook, decision, click.userId);
  }
  if (outcome !== 'approved') return;
  await enqueueJob(deps.queues, {
    kind: approval.action,
    cluster: approval.cluster,
    params: approval.params,
    requestId: `approval-${approval.id}`,
    requestedBy: approval.requestedBy,
    approval: { id: approval.id, approvedBy: click.userId },
    target: {
      kind: 'slack',
      channel: approval.channel,
      threadTs: approval.threadTs ?? (approval.threadRef ? undefined : approval.messageTs),
      threadRef: approval.threadTs ? undefined : approval.threadRef,
    },
    ...(approval.runbook ? { runbook: approval.runbook } : {}),
  });
}

async function update(
  client: WebClient,
  a: Approval,
  message: { text: string; blocks?: unknown[] },
) {
  await client.chat.update({ channel: a.channel, ts: a.messageTs as string, ...message });
}
