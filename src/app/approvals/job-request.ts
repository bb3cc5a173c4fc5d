/**
 * The job an approved request stands for, built from the stored record alone, so the
 * click, a second click and the sweep ask for the very same job (one id: the
 * approval's), and BullMQ adds it once however many of them ask.
 */
import { approvalRequestId, type Approval } from '../../domain/approval.js';
import type { JobRequest } from '../../domain/job-request.js';

export function approvedJobRequest(a: Approval): JobRequest {
  // Results go into the request's thread: the one it names, else the request message's own.
  const threadTs = a.threadTs ?? (a.threadRef ? undefined : a.messageTs);
  const threadRef = a.threadTs ? undefined : (a.threadRef ?? (threadTs ? undefined : a.messageRef));
  return {
    kind: a.action,
    cluster: a.cluster,
    params: a.params,
    requestId: approvalRequestId(a.id),
    requestedBy: a.requestedBy,
    approval: { id: a.id, approvedBy: a.decidedBy ?? '' },
    target: { kind: 'slack', channel: a.channel, threadTs, threadRef },
    ...(a.runbook ? { runbook: a.runbook } : {}),
  };
}
