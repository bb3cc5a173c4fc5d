/**
 * Approve / Reject clicks, as Slack delivers them: hand the click to the approval
 * workflow (app/approvals/decide.ts) with the queues and the outbox, and tell the
 * clicker what it answers. Nothing here decides anything.
 */
import { decide, type DecisionClick } from '../../app/approvals/decide.js';
import type { ApprovalStore, ApproverCheck } from '../../state/approvals.js';
import { jobSink } from '../queue/enqueue.js';
import type { OutboxWriter } from '../queue/outbox.js';
import type { IntakeDeps } from './intake.js';

export interface ApprovalClick extends DecisionClick {
  /** An ephemeral answer to whoever clicked. */
  tell(text: string): Promise<void>;
}

export type ApprovalClickDeps = IntakeDeps & {
  approvals: ApprovalStore;
  isApprover: ApproverCheck;
  outbox: OutboxWriter;
};

export async function handleApprovalClick(
  deps: ApprovalClickDeps,
  click: ApprovalClick,
): Promise<void> {
  const answer = await decide(
    {
      approvals: deps.approvals,
      isApprover: deps.isApprover,
      jobs: jobSink(deps.queues),
      outbox: deps.outbox,
      redis: deps.redis,
      prefix: deps.prefix,
      logger: deps.logger,
      ...(deps.engine ? { runbooks: deps.engine } : {}),
    },
    click,
  );
  if (answer) await click.tell(answer);
}
