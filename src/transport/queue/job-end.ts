/**
 * How a job ends, once its attempt knows: a recorded report is delivered, audited,
 * counted and handed to the afterJob hook (then marked finished, so a re-delivery has
 * nothing left to do); a refusal or an interrupted earlier attempt is told in the
 * thread and fails the job for good; a failed attempt is reported as retried or failed.
 */
import { UnrecoverableError } from 'bullmq';
import type { JobAudit } from '../../app/jobs/job-audit.js';
import type { AttemptOutcome } from '../../app/jobs/act-once.js';
import { describeError, isQuorumError, type ErrorCode } from '../../domain/errors.js';
import { reportFailure, worstSeverity, type Report } from '../../domain/report.js';
import type { AuditedJobSteps } from '../../state/job-audited.js';
import type { JobResultStore, JobRun, RecordedResult } from '../../state/job-results.js';
import type { JobEnvelope, JobSummary } from './job-data.js';
import type { JobKind } from './job-kind.js';
import type { ClusterJob, ProcessorDeps, Resolved } from './processor-deps.js';
import { observeReport } from './snapshot-metrics.js';

/** Not retried: a retry cannot fix configuration or input. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  'USAGE',
  'CONFIG_INVALID',
  'CONFIG_UNREADABLE',
  'CLUSTER_UNKNOWN',
  'TLS_FILE_UNREADABLE',
  'SNAPSHOT_NOT_FOUND',
  'JOB_INVALID',
  'KUBECONFIG_INVALID',
  'KUBE_UNAUTHORIZED',
  'KUBE_FORBIDDEN',
  'RUNBOOK_UNKNOWN',
]);

/** A job that did not do its work, told in its thread and counted: failed, not retried. */
export class ReportedFailure extends UnrecoverableError {}

export interface JobEndContext {
  audit: JobAudit;
  results: JobResultStore;
  /** The result and its audit entry in one script (state/job-audited.ts). */
  steps: AuditedJobSteps;
  run: JobRun;
  /** When this attempt started acting (performance.now()); absent for a re-delivery. */
  started?: number;
}

/**
 * Delivers a recorded report, then records the job as completed — or failed, when the
 * report says its operation refused, stopped or could not run (a check that found
 * problems did its work: it completed). A delivery that throws fails the attempt: BullMQ
 * retries it, and the retry delivers the same recorded report (outbox ids repeat).
 */
export async function endWithReport(
  deps: ProcessorDeps,
  r: Resolved,
  result: RecordedResult,
  ctx: JobEndContext,
): Promise<JobSummary> {
  const { report } = result;
  const failure = reportFailure(report);
  if (result.finishedAt === undefined) {
    if (!postedByRunbook(deps, r)) await deps.reporter.result(r.envelope.target, r.info, report);
    observeReport(deps.metrics, report);
    const outcome = failure ? `failed: ${failure}` : worstSeverity(report.findings);
    // A runbook step's end is audited before the engine hears of it; any other job's
    // entry and finished mark go in one script once the (idle) hook returned.
    const noted = postedByRunbook(deps, r) ? ctx.audit.note('job.finished', outcome) : undefined;
    await after(deps, r.envelope, failure ? { failure } : { report });
    (failure ? deps.metrics.jobsFailed : deps.metrics.jobsCompleted).inc(labelsOf(r));
    if (ctx.started !== undefined) {
      const ended = failure ? 'failed' : 'completed';
      deps.metrics.jobDuration.observe({ kind: r.kind.name, outcome: ended }, seconds(ctx.started));
    }
    if (noted) await Promise.all([noted, ctx.results.markFinished(ctx.run)]);
    else {
      const done = await ctx.steps.finish(ctx.run, ctx.audit.entry('job.finished', outcome));
      ctx.audit.noted('job.finished', done.finished);
    }
  }
  if (!failure) return summarize(report);
  deps.logger.error({ job: r.info.id }, `${r.info.title} failed: ${failure}`);
  throw new ReportedFailure(failure);
}

/** A job that must not act (refused) or whose earlier attempt's outcome is unknown: failed for good. */
export async function endRefused(
  deps: ProcessorDeps,
  r: Resolved,
  outcome: Exclude<AttemptOutcome, { kind: 'acted' }>,
  ctx: JobEndContext,
): Promise<never> {
  const { reason } = outcome;
  deps.logger.error({ job: r.info.id, outcome: outcome.kind }, `${r.info.title}: ${reason}`);
  await ctx.audit.note('job.finished', `failed: ${outcome.kind}: ${reason}`);
  if (!postedByRunbook(deps, r)) await deps.reporter.failure(r.envelope.target, r.info, reason);
  await after(deps, r.envelope, { failure: reason });
  deps.metrics.jobsFailed.inc(labelsOf(r));
  if (ctx.started !== undefined)
    deps.metrics.jobDuration.observe(
      { kind: r.kind.name, outcome: 'failed' },
      seconds(ctx.started),
    );
  throw new ReportedFailure(reason);
}

/** Reports a failed attempt; returns what to throw to BullMQ. */
export async function endAttemptFailed(
  job: ClusterJob,
  r: Resolved,
  err: unknown,
  deps: ProcessorDeps,
  audit: JobAudit,
) {
  const permanent = isQuorumError(err) && PERMANENT.has(err.code);
  const attempt = job.attemptsMade + 1;
  const final = permanent || attempt >= (job.opts.attempts ?? 1);
  const reason = describeError(err);
  (final ? deps.metrics.jobsFailed : deps.metrics.jobRetries).inc(labelsOf(r));
  deps.logger[final ? 'error' : 'warn']({ job: job.id, attempt, err }, `${r.info.title} failed`);
  const retryIn = final ? undefined : backoffMs(r.kind, attempt);
  if (final) await audit.note('job.finished', `failed: ${reason}`);
  if (!final || !postedByRunbook(deps, r))
    await deps.reporter.failure(r.envelope.target, r.info, err, retryIn);
  if (final) await after(deps, r.envelope, { failure: reason });
  return permanent ? new UnrecoverableError(reason) : err;
}

/**
 * A runbook step's job: its result (or final failure) is posted by the runbook engine
 * through the afterJob hook, labelled and in step order (app/runbooks/step-results.ts).
 */
const postedByRunbook = (deps: ProcessorDeps, r: Resolved) =>
  r.envelope.runbook !== undefined && deps.afterJob !== undefined;

/** The afterJob hook; its failure is logged, never the job's. */
async function after(
  deps: ProcessorDeps,
  envelope: JobEnvelope,
  end: { report: Report } | { failure: string },
) {
  try {
    await deps.afterJob?.(envelope, end);
  } catch (err) {
    deps.logger.error({ err, runbook: envelope.runbook }, 'after-job hook failed');
  }
}

/** BullMQ's delay before attempt `attempt + 1`. */
function backoffMs(kind: JobKind, attempt: number): number {
  const { type, delay } = kind.backoff;
  return type === 'fixed' ? delay : Math.round(2 ** (attempt - 1) * delay);
}

function summarize(report: Report): JobSummary {
  return {
    kind: report.kind,
    cluster: report.cluster,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    couldNotRun: report.couldNotRun,
    findings: report.findings.map(({ id, severity, title }) => ({ id, severity, title })),
  };
}

export const seconds = (since: number) => (performance.now() - since) / 1000;
const labelsOf = (r: Resolved) => ({ kind: r.kind.name, cluster: r.cluster.name });
