/**
 * Run once, record, then report: a job's operation acts at most once however often
 * BullMQ runs the job (its retry after a reporting failure, a stalled job re-delivered
 * after its worker or Redis was lost). The caller first looks for a recorded result
 * (state/job-results.ts): one is re-reported and nothing runs. Otherwise `actOnce`:
 *
 *   1. writes `job.started` to the audit log — required when the kind changes the
 *      cluster: not written, the job is refused and nothing is changed (for any other
 *      kind it is sent before the operation starts, which does not wait for the answer);
 *   2. takes the job's approval (single use, state/approval-consume.ts): taken already
 *      by an earlier attempt of this job that recorded no result, the outcome of that
 *      attempt is unknown and nothing acts; used by another job, refused;
 *   3. runs the operation (an error of its own gives the approval back for the kind's
 *      retry; a timeout or a hand-back keeps it: that outcome is unknown);
 *   4. records the report under the job's id, waiting through a Redis outage for up to
 *      `recordTimeoutMs`: the recorded result wins over any re-delivery.
 * Only a recorded report is delivered.
 */
import { randomBytes } from 'node:crypto';
import { QuorumError } from '../../domain/errors.js';
import type { Report } from '../../domain/report.js';
import { giveBackApproval, takeApproval } from '../../state/approval-consume.js';
import type { JobResultStore, JobRun, RecordedResult } from '../../state/job-results.js';
import type { StateRedis } from '../../state/redis.js';
import type { JobAudit } from './job-audit.js';

export const DEFAULT_RECORD_TIMEOUT_MS = 5 * 60_000;

export interface ActOnceDeps {
  redis: StateRedis;
  prefix: string;
  results: JobResultStore;
  /** How long recording the report waits for Redis once the operation ended. */
  recordTimeoutMs: number;
}

/** What a kind that changes the cluster acts on, and the approval that lets it. */
export interface ClusterChange {
  approvalId: string;
  /** The job kind, e.g. `etcd.defrag`. */
  action: string;
  cluster: string;
  /** For messages: `etcd defrag`. */
  what: string;
}

export interface Attempt {
  job: JobRun;
  /** 1-based, as BullMQ counts it (a stalled re-delivery repeats the number). */
  attempt: number;
  /** Set for a kind that changes the cluster. */
  changes?: ClusterChange;
  audit: JobAudit;
  /** `job.started` was written already, with the look-up of a recorded result (no `changes`). */
  started?: boolean;
  act(): Promise<Report>;
  /** Errors after which the operation may have acted or still act (timeout, hand-back). */
  outcomeUnknown(err: unknown): boolean;
}

export type AttemptOutcome =
  /** Ran here and recorded (or, when two attempts raced, the one recorded first). */
  | { kind: 'acted'; result: RecordedResult }
  /** Nothing was changed. */
  | { kind: 'refused'; reason: string }
  /** An earlier attempt took the approval and recorded nothing: its outcome is unknown. */
  | { kind: 'interrupted'; reason: string };

/** The operation ended but its report could not be recorded (Redis stayed away). */
export class ResultNotRecorded extends QuorumError {
  constructor(
    readonly report: Report,
    jobId: string,
    timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      'REDIS_UNREACHABLE',
      `The result of job ${jobId} could not be recorded: Redis did not answer for ${Math.round(timeoutMs / 1000)} s.`,
      "The operation ended; its report is in this worker's log. Bring Redis back (REDIS_URL, or the master behind REDIS_SENTINELS).",
      options,
    );
  }
}

export async function actOnce(deps: ActOnceDeps, a: Attempt): Promise<AttemptOutcome> {
  // Best effort for a kind that changes nothing: sent before it acts, not waited for.
  let noted: Promise<void> = Promise.resolve();
  if (a.changes) {
    const audited = await a.audit.require('job.started');
    if (!audited.ok) return { kind: 'refused', reason: audited.why };
  } else if (!a.started) {
    noted = a.audit.note('job.started');
  }
  let giveBack: (() => Promise<boolean>) | undefined;
  if (a.changes) {
    const taken = await take(deps, a, a.changes);
    if ('kind' in taken) return taken;
    giveBack = taken.giveBack;
  }
  let report: Report;
  try {
    [, report] = await Promise.all([noted, a.act()]);
  } catch (err) {
    // Given back, a retry may take it; not given back (Redis away), the retry says "unknown".
    if (giveBack && !a.outcomeUnknown(err)) await giveBack().catch(() => false);
    throw err;
  }
  return { kind: 'acted', result: await record(deps, a, report) };
}

async function take(
  deps: ActOnceDeps,
  a: Attempt,
  c: ClusterChange,
): Promise<AttemptOutcome | { giveBack: () => Promise<boolean> }> {
  const use = {
    approvalId: c.approvalId,
    job: `${a.job.jobId}#${a.job.run}`,
    attempt: a.attempt,
    token: randomBytes(8).toString('hex'),
    action: c.action,
    cluster: c.cluster,
  };
  const taken = await takeApproval(deps.redis, deps.prefix, use);
  switch (taken.outcome) {
    case 'taken':
      return { giveBack: () => giveBackApproval(deps.redis, deps.prefix, use) };
    case 'interrupted':
      return { kind: 'interrupted', reason: interruptedReason(c, taken.attempt, taken.at) };
    case 'used':
      return {
        kind: 'refused',
        reason: `approval ${c.approvalId} was used by ${taken.by.split('#')[0]} already: one approval lets one job change the cluster. Nothing was changed; ask for a new approval.`,
      };
    default:
      return { kind: 'refused', reason: taken.why };
  }
}

function interruptedReason(c: ClusterChange, attempt: number, at: number): string {
  const when = at > 0 ? ` at ${new Date(at).toISOString()}` : '';
  const check = c.action.startsWith('etcd.')
    ? `Run /etcd-check ${c.cluster} to see the cluster's state`
    : `Check the cluster (kubectl get nodes; kubectl get pods -A)`;
  return (
    `an earlier attempt (attempt ${attempt}${when}) started it and was interrupted before its ` +
    `result was recorded (its worker or Redis was lost), so its outcome is unknown; it is not ` +
    `run again on the same approval. ${check}, then ask for the ${c.what} again if it is still needed.`
  );
}

/** Records the report, waiting for Redis up to the bound. */
async function record(deps: ActOnceDeps, a: Attempt, report: Report): Promise<RecordedResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ResultNotRecorded(report, a.job.jobId, deps.recordTimeoutMs)),
      deps.recordTimeoutMs,
    );
  });
  try {
    // The write stays queued past the deadline: if it lands later, it still wins.
    return await Promise.race([deps.results.record(a.job, a.attempt, report), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
