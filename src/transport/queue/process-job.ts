/**
 * What a cluster worker does with one job. Check it against the catalogue (bad input
 * fails at once with UnrecoverableError). A result recorded by an earlier attempt of
 * the same job is re-reported and nothing runs again (for a kind with no approval and no
 * lease to take, that look-up also writes `job.started` when there is none: one round
 * trip, state/job-audited.ts). Otherwise check its approval,
 * take the maintenance lease when the kind needs it, and act once (app/jobs/act-once.ts:
 * audit, take the approval, run the handler bounded by the kind's timeout, record the
 * report); then deliver the recorded report (job-end.ts). On shutdown (the job's
 * signal aborts) the job is handed back to the queue for another worker.
 */
import { WaitingError } from 'bullmq';
import {
  actOnce,
  DEFAULT_RECORD_TIMEOUT_MS,
  ResultNotRecorded,
  type ClusterChange,
} from '../../app/jobs/act-once.js';
import { jobAudit } from '../../app/jobs/job-audit.js';
import type { Report } from '../../domain/report.js';
import { snapshotStoreOf, snapshotStoreSpec } from '../../app/snapshots/store-spec.js';
import type { SnapshotStore } from '../../operations/etcd/store/snapshot-store.js';
import { drillStore } from '../../state/drills.js';
import { latencySampleStore } from '../../state/latency-samples.js';
import { securityHistoryStore } from '../../state/security-history.js';
import { jobResultStore, type JobRun, type RecordedResult } from '../../state/job-results.js';
import { auditedJobSteps } from '../../state/job-audited.js';
import type { Lease } from '../../state/locks.js';
import type { EtcdConnector } from '../../operations/etcd/client.js';
import type { KubeClient } from '../../operations/kube/client.js';
import type { BackupClient } from '../../operations/backup/client.js';
import type { JobSummary } from './job-data.js';
import {
  endAttemptFailed,
  endRefused,
  endWithReport,
  ReportedFailure,
  seconds,
  type JobEndContext,
} from './job-end.js';
import { leaseOrDefer } from './maintenance.js';
import type { ClusterJob, ProcessorDeps, Resolved } from './processor-deps.js';
import { checkApproval, resolveJob } from './resolve-job.js';

export type { ClusterJob, ProcessorDeps } from './processor-deps.js';

/** The audit entries' detail: who approved, and what the kind says of its params. */
function auditDetailOf(r: Resolved): string | undefined {
  const approved = r.envelope.approval && `approved by ${r.envelope.approval.approvedBy}`;
  const own = r.kind.auditDetail?.(r.params, r.info.id);
  return [approved, own].filter(Boolean).join('; ') || undefined;
}

/** The job's signal aborted (shutdown): hand the job back. */
class Released extends Error {}
/** The attempt outlived the kind's timeout; the operation may still be running. */
class TimedOut extends Error {}

export function createProcessor(deps: ProcessorDeps) {
  const results = jobResultStore(deps.redis, deps.prefix);
  const steps = auditedJobSteps(deps.redis, deps.prefix);
  return async (job: ClusterJob, token?: string, signal?: AbortSignal): Promise<JobSummary> => {
    const r = await resolveJob(job, deps);
    const run: JobRun = { jobId: r.info.id, run: r.envelope.nonce ?? r.envelope.enqueuedAt };
    const audit = jobAudit(deps, {
      jobId: r.info.id,
      who: r.envelope.requestedBy,
      cluster: r.cluster.name,
      action: r.kind.name,
      detail: auditDetailOf(r),
    });
    const ctx: JobEndContext = { audit, results, steps, run };
    if (!r.kind.destructive && !r.kind.maintenance) {
      // Nothing to check before it acts: the look-up and `job.started` in one round trip.
      const begun = await steps.begin(run, audit.entry('job.started'));
      if (begun.recorded) return deliverRecorded(deps, r, begun.recorded, ctx);
      if (begun.started) audit.noted('job.started', begun.started);
      const started = begun.started !== undefined;
      return attempt(deps, { job, token, signal, r, lease: undefined, ctx, started });
    }
    const recorded = await results.get(run);
    if (recorded) return deliverRecorded(deps, r, recorded, ctx);
    await checkApproval(job, r, deps);
    const lease = r.kind.maintenance
      ? await leaseOrDefer(job, token, r.cluster.name, deps)
      : undefined;
    // An earlier attempt that held the lease until now may have recorded its result meanwhile.
    const recordedLate = lease ? await results.get(run) : undefined;
    if (recordedLate) {
      await lease?.release();
      return deliverRecorded(deps, r, recordedLate, ctx);
    }
    return attempt(deps, { job, token, signal, r, lease, ctx, started: false });
  };
}

interface AttemptInput {
  job: ClusterJob;
  token: string | undefined;
  signal: AbortSignal | undefined;
  r: Resolved;
  lease: Lease | undefined;
  ctx: JobEndContext;
  /** `job.started` is written already. */
  started: boolean;
}

/** Acts once and ends the job by what happened. */
async function attempt(deps: ProcessorDeps, a: AttemptInput): Promise<JobSummary> {
  const { job, r } = a;
  const started = performance.now();
  const ctx: JobEndContext = { ...a.ctx, started };
  let work: Promise<Report> | undefined;
  let settled = false;
  let late = false;
  const act = () => {
    const w = startWork(deps, job, r, () => settled);
    work = w;
    // A result that arrives after a timeout or a hand-back is still recorded, before the
    // lease is let go: the job's next attempt then reports it instead of acting again.
    const done = w.then((report) => (late ? recordLate(deps, a, report) : undefined), noop);
    // The lease lasts as long as the operation, even past a timeout or a shutdown.
    if (a.lease) void done.finally(() => a.lease?.release());
    return bounded(w, r.kind.timeoutMs(deps.config, r.cluster), a.signal).catch((err) => {
      late = outcomeUnknown(err);
      throw err;
    });
  };
  const recordTimeoutMs = deps.recordTimeoutMs ?? DEFAULT_RECORD_TIMEOUT_MS;
  const outcome = await actOnce(
    { redis: deps.redis, prefix: deps.prefix, results: ctx.results, recordTimeoutMs },
    {
      job: ctx.run,
      attempt: job.attemptsMade + 1,
      changes: changesOf(r),
      audit: ctx.audit,
      started: a.started,
      act,
      outcomeUnknown,
    },
  )
    .catch(async (err: unknown) => {
      if (!work) await a.lease?.release();
      throw await attemptFailed(deps, a, err, started);
    })
    .finally(() => (settled = true));
  if (!work) await a.lease?.release();
  if (outcome.kind !== 'acted') return endRefused(deps, r, outcome, ctx);
  return deliver(deps, r, outcome.result, ctx);
}

/** What to throw to BullMQ for an attempt that failed: hand-back, or the reported failure. */
async function attemptFailed(deps: ProcessorDeps, a: AttemptInput, err: unknown, started: number) {
  if (err instanceof Released) {
    deps.logger.warn({ job: a.job.id }, 'shutting down: job handed back to the queue');
    await a.job.moveToWait(a.token);
    return new WaitingError();
  }
  if (err instanceof ResultNotRecorded)
    deps.logger.error({ job: a.job.id, report: err.report }, err.message);
  const labels = { kind: a.r.kind.name, outcome: 'failed' };
  deps.metrics.jobDuration.observe(labels, seconds(started));
  return endAttemptFailed(a.job, a.r, err, deps, a.ctx.audit);
}

/** Records the result of an operation that ended after its attempt gave up on it. */
async function recordLate(deps: ProcessorDeps, a: AttemptInput, report: Report): Promise<void> {
  try {
    await a.ctx.results.record(a.ctx.run, a.job.attemptsMade + 1, report);
    deps.logger.info({ job: a.job.id }, `${a.r.info.title}: ended late; its result is recorded`);
  } catch (err) {
    deps.logger.warn({ job: a.job.id, err }, `${a.r.info.title}: late result not recorded`);
  }
}

/** For a kind that changes the cluster: what the approval must be for. */
function changesOf(r: Resolved): ClusterChange | undefined {
  if (!r.kind.destructive) return undefined;
  const approvalId = r.envelope.approval?.id ?? '';
  return { approvalId, action: r.kind.name, cluster: r.cluster.name, what: r.kind.title };
}

const outcomeUnknown = (err: unknown) => err instanceof Released || err instanceof TimedOut;
const noop = () => undefined;

/** A result an earlier attempt recorded: delivered (if it was not), never acted on again. */
function deliverRecorded(
  deps: ProcessorDeps,
  r: Resolved,
  recorded: RecordedResult,
  ctx: JobEndContext,
): Promise<JobSummary> {
  deps.logger.info(
    { job: r.info.id, attempt: recorded.attempt },
    `${r.info.title}: ran already; reporting the recorded result instead of running again`,
  );
  return deliver(deps, r, recorded, ctx);
}

/** Delivers a recorded result; a delivery failure is logged and retried by BullMQ. */
async function deliver(
  deps: ProcessorDeps,
  r: Resolved,
  result: RecordedResult,
  ctx: JobEndContext,
): Promise<JobSummary> {
  try {
    return await endWithReport(deps, r, result, ctx);
  } catch (err) {
    if (!(err instanceof ReportedFailure))
      deps.logger.warn(
        { job: r.info.id, err },
        `${r.info.title}: result recorded, not delivered; the job's retry delivers it`,
      );
    throw err;
  }
}

/** Starts the kind's handler with its context. */
function startWork(
  deps: ProcessorDeps,
  job: ClusterJob,
  r: Resolved,
  settled: () => boolean,
): Promise<Report> {
  // Built on first use: a job that needs no etcd reads no TLS files.
  let connector: EtcdConnector | undefined;
  const connect: EtcdConnector = (endpoint, metricsUrl) =>
    (connector ??= deps.etcdConnector(r.cluster))(endpoint, metricsUrl);
  let kube: KubeClient | undefined;
  let backup: BackupClient | undefined;
  let store: SnapshotStore | undefined;
  return Promise.resolve().then(() =>
    r.kind.run(
      {
        config: deps.config,
        cluster: r.cluster,
        connect,
        kube: () => (kube ??= deps.kubeConnector(r.cluster)),
        backup: () => (backup ??= backupConnectorOf(deps)(r.cluster)),
        snapshots: () =>
          (store ??= snapshotStoreOf(
            deps.snapshotStore,
            snapshotStoreSpec(deps.config, r.cluster),
          )),
        requestedBy: r.envelope.requestedBy,
        jobId: r.info.id,
        latencySamples: latencySampleStore(deps.redis, deps.prefix, r.cluster.name),
        drills: drillStore(deps.redis, deps.prefix),
        securityHistory: securityHistoryStore(deps.redis, deps.prefix),
        progress: (p) => {
          if (settled()) return;
          job
            .updateProgress(p)
            .catch((err: unknown) => deps.logger.warn({ err }, 'progress not saved'));
        },
      },
      r.params,
    ),
  );
}

/** The processor's Velero client builder; a process wired without one says so at first use. */
function backupConnectorOf(deps: ProcessorDeps) {
  if (!deps.backupConnector) throw new Error('this worker was built without a Velero client');
  return deps.backupConnector;
}

/** `work`, or TimedOut after `ms`, or Released when `signal` aborts (shutdown). */
function bounded<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new TimedOut(`timed out after ${Math.round(ms / 1000)} s`)),
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
