/**
 * What follows a decision once its job is safe in the queue: the audit entry, the
 * request message's edit, and the runbook engine's step. Each may fail (Redis busy,
 * Slack refusing) without undoing anything before it or skipping anything after it:
 * a failure is logged, and the job runs regardless.
 */
import type { Approval } from '../../domain/approval.js';
import { approvalDecidedMessage, approvalExpiredMessage } from '../../render/block-kit/index.js';
import { appendAudit } from '../../state/audit.js';
import type { ApprovalWorkflowDeps } from './deps.js';
import { editRequest } from './edit-request.js';

async function attempt(
  deps: ApprovalWorkflowDeps,
  a: Approval,
  what: string,
  f: () => Promise<unknown>,
) {
  try {
    await f();
  } catch (err) {
    deps.logger.warn({ err, approval: a.id }, `approval ${what} failed; the decision stands`);
  }
}

/** Announces a decided approval (approved with its intent ended, or rejected). */
export async function announceDecision(deps: ApprovalWorkflowDeps, a: Approval): Promise<void> {
  const now = deps.now ?? Date.now;
  const who = a.decidedBy ?? '?';
  await attempt(deps, a, 'audit entry', () =>
    appendAudit(deps.redis, deps.prefix, {
      type: 'approval.decided',
      who,
      cluster: a.cluster,
      action: a.action,
      outcome: a.intent === 'failed' ? 'approved, not queued' : a.status,
      params: { approval: a.id },
      ...(a.intentError ? { detail: a.intentError } : {}),
      at: now(),
    }),
  );
  await attempt(deps, a, 'message edit', () =>
    editRequest(deps.outbox, a, 'decided', approvalDecidedMessage(a)),
  );
  const { runbooks } = deps;
  const link = a.runbook;
  if (!runbooks || !link) return;
  await attempt(deps, a, 'runbook step', async () => {
    await runbooks.decided(link, a.status === 'approved' ? 'approved' : 'rejected', who);
    if (a.intent === 'failed')
      await runbooks.jobEnded(link, { ok: false, reason: a.intentError ?? 'not queued' });
  });
}

/** Ends an expired request visibly: its message loses the buttons and says so. */
export async function announceExpiry(deps: ApprovalWorkflowDeps, a: Approval): Promise<void> {
  await attempt(deps, a, 'message edit', () =>
    editRequest(deps.outbox, a, 'expired', approvalExpiredMessage(a)),
  );
}
