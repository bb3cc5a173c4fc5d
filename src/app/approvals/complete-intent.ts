/**
 * Carrying out an approval's intent: the job is enqueued FIRST (its id is the
 * approval's, so asking twice adds one job), then the intent is ended, and only the
 * caller that ended it announces the decision. A crash anywhere leaves either the
 * intent pending (the sweep or a second click asks again) or the job queued.
 */
import type { Approval } from '../../domain/approval.js';
import { describeError, isQuorumError } from '../../domain/errors.js';
import { announceDecision } from './announce.js';
import type { ApprovalWorkflowDeps } from './deps.js';
import { approvedJobRequest } from './job-request.js';

/** `queued`/`failed`: this call ended the intent; `already`: another caller had. */
export type IntentEnd = 'queued' | 'failed' | 'already';

/** What no retry can fix: the job kind or the cluster is not (or no longer) known. */
const permanent = (err: unknown) =>
  isQuorumError(err) && (err.code === 'JOB_INVALID' || err.code === 'CLUSTER_UNKNOWN');

/** Throws only what a later try may fix (Redis away): the intent then stays pending. */
export async function completeIntent(deps: ApprovalWorkflowDeps, a: Approval): Promise<IntentEnd> {
  let failure: string | undefined;
  try {
    await deps.jobs.enqueue(approvedJobRequest(a));
  } catch (err) {
    if (!permanent(err)) throw err;
    failure = describeError(err);
    deps.logger.error({ err, approval: a.id }, 'approved job can never be queued');
  }
  const ended = await deps.approvals.endIntent(a.id, failure ? 'failed' : 'done', failure);
  if (!ended) return 'already';
  await announceDecision(deps, {
    ...a,
    intent: failure ? 'failed' : 'done',
    ...(failure ? { intentError: failure } : {}),
  });
  return failure ? 'failed' : 'queued';
}
