/**
 * What a cluster worker does with one job: check it against the catalogue (bad input
 * fails at once with UnrecoverableError), take the maintenance lease when the kind
 * needs it, run the handler bounded by the kind's timeout, and hand the result or the
 * failure to the reporter. On shutdown (the job's signal aborts) the job is handed
 * back to the queue for another worker.
 */
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { ClusterConfig, Config } from '../../config/schema.js';
import { describeError, isQuorumError, type ErrorCode } from '../../domain/errors.js';
import { reportFailure, worstSeverity, type Report } from '../../domain/report.js';
import { approvalStore } from '../../state/approvals.js';
import { appendAudit } from '../../state/audit.js';
import { latencySampleStore } from '../../state/latency-samples.js';
import type { StateRedis } from '../../state/redis.js';
import type { EtcdConnector } from '../../operations/etcd/client.js';
import type { KubeClient, KubeConnector } from '../../operations/kube/client.js';
import { findJobKind } from './catalogue.js';
import {
  describeIssues,
  jobEnvelopeSchema,
  type JobEnvelope,
  type JobSummary,
  type ReportTarget,
} from './job-data.js';
import type { JobKind } from './job-kind.js';
import { leaseOrDefer, type MaintenanceDeps } from './maintenance.js';
import { jobTitle } from './report-message.js';
import type { JobInfo, Reporter } from './reporter.js';
import { observeReport } from './snapshot-metrics.js';

export type ClusterJob = Job<JobEnvelope, JobSummary, string>;

export interface ProcessorDeps extends MaintenanceDeps {
  redis: MaintenanceDeps['redis'] & StateRedis;
  config: Config;
  etcdConnector(cluster: ClusterConfig): EtcdConnector;
  kubeConnector: KubeConnector;
  reporter: Reporter;
  /** Told when a job ends for good (its report, or why it failed): a runbook step advances. */
  afterJob?: (
    envelope: JobEnvelope,
    end: { report: Report } | { failure: string },
  ) => Promise<void>;
}

interface Resolved {
  kind: JobKind;
  envelope: JobEnvelope;
  params: unknown;
  cluster: ClusterConfig;
  info: JobInfo;
}

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

class Released extends Error {}

/** A report whose operation did not do its work, delivered and counted: failed, not retried. */
class ReportedFailure extends UnrecoverableError {}

export function createProcessor(deps: ProcessorDeps) {
  return async (job: ClusterJob, token?: string, signal?: AbortSignal): Promise<JobSummary> => {
    const r = await resolve(job, deps);
    const lease = r.kind.maintenance
      ? await leaseOrDefer(job, token, r.cluster.name, deps)
      : undefined;
    const started = performance.now();
    await audit(deps, r, 'job.started');
    let finished = false;
    // Built on first use: a job that needs no etcd reads no TLS files.
    let connector: EtcdConnector | undefined;
    const connect: EtcdConnector = (endpoint, metricsUrl) =>
      (connector ??= deps.etcdConnector(r.cluster))(endpoint, metricsUrl);
    let kube: KubeClient | undefined;
    const work = Promise.resolve().then(() =>
      r.kind.run(
        {
          config: deps.config,
          cluster: r.cluster,
          connect,
          kube: () => (kube ??= deps.kubeConnector(r.cluster)),
          requestedBy: r.envelope.requestedBy,
          latencySamples: latencySampleStore(deps.redis, deps.prefix, r.cluster.name),
          progress: (p) => {
            if (finished) return;
            job
              .updateProgress(p)
              .catch((err: unknown) => deps.logger.warn({ err }, 'progress not saved'));
          },
        },
        r.params,
      ),
    );
    // The lease lasts as long as the operation, even past a timeout or a shutdown.
    if (lease) void work.then(lease.release.bind(lease), lease.release.bind(lease));
    try {
      const report = await bounded(work, r.kind.timeoutMs(deps.config, r.cluster), signal);
      finished = true;
      return await finish(deps, r, report, started);
    } catch (err) {
      finished = true;
      if (err instanceof ReportedFailure) throw err;
      if (err instanceof Released) {
        deps.logger.warn({ job: job.id }, 'shutting down: job handed back to the queue');
        await job.moveToWait(token);
        throw new WaitingError();
      }
      deps.metrics.jobDuration.observe({ kind: r.kind.name, outcome: 'failed' }, seconds(started));
      throw await failed(job, r, err, deps);
    }
  };
}

/**
 * Delivers the report, then records the job as completed — or failed, when the report
 * says its operation refused, stopped or could not run (a check that found problems did
 * its work: it completed).
 */
async function finish(deps: ProcessorDeps, r: Resolved, report: Report, started: number) {
  await deps.reporter.result(r.envelope.target, r.info, report);
  observeReport(deps.metrics, report);
  const failure = reportFailure(report);
  const severity = worstSeverity(report.findings);
  await audit(deps, r, 'job.finished', failure ? `failed: ${failure}` : severity);
  await after(deps, r.envelope, failure ? { failure } : { report });
  (failure ? deps.metrics.jobsFailed : deps.metrics.jobsCompleted).inc(labelsOf(r));
  const outcome = failure ? 'failed' : 'completed';
  deps.metrics.jobDuration.observe({ kind: r.kind.name, outcome }, seconds(started));
  if (!failure) return summarize(report);
  deps.logger.error({ job: r.info.id }, `${r.info.title} failed: ${failure}`);
  throw new ReportedFailure(failure);
}

/** Reports a failed attempt; returns what to throw to BullMQ. */
async function failed(job: ClusterJob, r: Resolved, err: unknown, deps: ProcessorDeps) {
  const permanent = isQuorumError(err) && PERMANENT.has(err.code);
  const attempt = job.attemptsMade + 1;
  const final = permanent || attempt >= (job.opts.attempts ?? 1);
  const reason = describeError(err);
  (final ? deps.metrics.jobsFailed : deps.metrics.jobRetries).inc(labelsOf(r));
  deps.logger[final ? 'error' : 'warn']({ job: job.id, attempt, err }, `${r.info.title} failed`);
  const retryIn = final ? undefined : backoffMs(r.kind, attempt);
  if (final) await audit(deps, r, 'job.finished', `failed: ${reason}`);
  await deps.reporter.failure(r.envelope.target, r.info, reason, retryIn);
  if (final) await after(deps, r.envelope, { failure: reason });
  return permanent ? new UnrecoverableError(reason) : err;
}

/** The kind, envelope, params and cluster of a job, or an UnrecoverableError saying what is wrong. */
async function resolve(job: ClusterJob, deps: ProcessorDeps): Promise<Resolved> {
  const envelope = jobEnvelopeSchema.safeParse(job.data);
  const target: ReportTarget | undefined = envelope.success ? envelope.data.target : undefined;
  const reject = async (reason: string): Promise<never> => {
    deps.logger.error({ job: job.id, name: job.name }, `job refused: ${reason}`);
    deps.metrics.jobsFailed.inc({ kind: job.name, cluster: String(job.data?.cluster) });
    if (target) {
      await deps.reporter.failure(
        target,
        {
          id: job.id ?? '?',
          title: job.name,
          what: job.name,
          kind: job.name,
          cluster: String(envelope.data?.cluster ?? '?'),
          requestedBy: envelope.data?.requestedBy ?? '?',
        },
        reason,
      );
    }
    throw new UnrecoverableError(reason);
  };
  const kind = findJobKind(job.name);
  if (!kind) return reject(`unknown job kind "${job.name}"`);
  if (!envelope.success) return reject(describeIssues(envelope.error, 'data'));
  const params = kind.params.safeParse(envelope.data.params);
  if (!params.success) return reject(describeIssues(params.error, 'params'));
  const cluster = deps.config.clusters.find((c) => c.name === envelope.data.cluster);
  if (!cluster) return reject(`cluster "${envelope.data.cluster}" is not configured here`);
  if (kind.destructive) {
    const problem = await approvalProblem(deps, kind.name, envelope.data);
    if (problem) return reject(problem);
  }
  const info = {
    id: job.id ?? '?',
    title: jobTitle(kind.title, cluster.name),
    what: kind.title,
    kind: kind.name,
    cluster: cluster.name,
    requestedBy: envelope.data.requestedBy,
  };
  return { kind, envelope: envelope.data, params: params.data, cluster, info };
}

/**
 * A destructive job runs only on an approval that the store says was approved, for this
 * action on this cluster: a job written into Redis by hand, or replayed, does not run.
 */
async function approvalProblem(
  deps: ProcessorDeps,
  action: string,
  data: JobEnvelope,
): Promise<string | undefined> {
  if (!data.approval) return `${action} needs an approval`;
  const approval = await approvalStore({ redis: deps.redis, prefix: deps.prefix }).getApproval(
    data.approval.id,
  );
  if (!approval) return `approval ${data.approval.id} is unknown (or expired from Redis)`;
  if (approval.status !== 'approved')
    return `approval ${approval.id} is ${approval.status}, not approved`;
  if (approval.action !== action || approval.cluster !== data.cluster)
    return `approval ${approval.id} is for ${approval.action} on ${approval.cluster}, not ${action} on ${data.cluster}`;
  return undefined;
}

/** Who asked for what, and how it ended, in the audit log; a failure to write it does not fail the job. */
async function audit(
  deps: ProcessorDeps,
  r: Resolved,
  type: 'job.started' | 'job.finished',
  outcome?: string,
) {
  try {
    await appendAudit(deps.redis, deps.prefix, {
      type,
      who: r.envelope.requestedBy,
      cluster: r.cluster.name,
      action: r.kind.name,
      outcome,
      detail: r.envelope.approval ? `approved by ${r.envelope.approval.approvedBy}` : undefined,
      at: Date.now(),
    });
  } catch (err) {
    deps.logger.warn({ err }, 'audit log not written');
  }
}

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

/** `work`, or a timeout error after `ms`, or Released when `signal` aborts (shutdown). */
function bounded<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${Math.round(ms / 1000)} s`)),
      ms,
    );
    const onAbort = () => reject(new Released());
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
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

const seconds = (since: number) => (performance.now() - since) / 1000;
const labelsOf = (r: Resolved) => ({ kind: r.kind.name, cluster: r.cluster.name });
