/**
 * A cluster worker: a BullMQ Worker on the cluster's queue running the processor
 * (process-job.ts). A killed worker's job is taken over by another worker once its
 * lock expires and the stalled check runs (both `worker.stalledInterval`). Closing
 * stops taking jobs and lets the running ones finish; after `shutdownTimeout` the
 * ones still running are handed back to the queue, then every connection closes.
 */
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Progress } from '../../domain/snapshot.js';
import { findJobKind } from './catalogue.js';
import { jobEnvelopeSchema, type JobEnvelope, type JobSummary } from './job-data.js';
import { clusterQueueName } from './names.js';
import { createProcessor, type ClusterJob, type ProcessorDeps } from './process-job.js';
import { jobTitle } from './report-message.js';
import { runningJobs } from './running-jobs.js';

export interface ClusterWorkerOptions extends ProcessorDeps {
  cluster: string;
  connection: Redis;
  concurrency: number;
  /** Lock duration and stalled-check period of BullMQ, in ms. */
  stalledIntervalMs: number;
  shutdownTimeoutMs: number;
}

export interface ClusterWorker {
  readonly worker: Worker<JobEnvelope, JobSummary, string>;
  /** Stops taking jobs, waits up to shutdownTimeout for running ones, hands back the rest. */
  close(): Promise<void>;
  /** Resolves once none of this worker's jobs is running (at once when none is). */
  idle(): Promise<void>;
  /** How many of its jobs are running now. */
  running(): number;
}

export function startClusterWorker(opts: ClusterWorkerOptions): ClusterWorker {
  const processor = createProcessor(opts);
  const running = runningJobs();
  const worker = new Worker<JobEnvelope, JobSummary, string>(
    clusterQueueName(opts.cluster),
    // Three parameters: BullMQ then passes an AbortSignal, aborted by cancelAllJobs().
    (job, token, signal) => running.track(processor(job, token, signal)),
    {
      connection: opts.connection,
      prefix: opts.prefix,
      name: opts.workerName,
      concurrency: opts.concurrency,
      lockDuration: opts.stalledIntervalMs,
      stalledInterval: opts.stalledIntervalMs,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (err) => opts.logger.warn({ err, cluster: opts.cluster }, 'worker error'));
  worker.on('progress', (job, progress) => forwardProgress(opts, job, progress));
  let closing: Promise<void> | undefined;
  return {
    worker,
    close: () => {
      closing ??= closeGracefully(worker, opts);
      return closing;
    },
    idle: () => running.idle(),
    running: () => running.count(),
  };
}

/** Progress reaches the job (job.updateProgress); from the job's event, the reporter. */
function forwardProgress(opts: ClusterWorkerOptions, job: ClusterJob, progress: unknown): void {
  const envelope = jobEnvelopeSchema.safeParse(job.data);
  const kind = findJobKind(job.name);
  const p = progress as Progress;
  if (!envelope.success || !kind || typeof p?.step !== 'string') return;
  const info = {
    id: job.id ?? '?',
    title: jobTitle(kind.title, envelope.data.cluster),
    what: kind.title,
    kind: kind.name,
    cluster: envelope.data.cluster,
    requestedBy: envelope.data.requestedBy,
  };
  opts.reporter
    .progress(envelope.data.target, info, p)
    .catch((err: unknown) => opts.logger.warn({ err, job: job.id }, 'progress not reported'));
}

async function closeGracefully(
  worker: Worker<JobEnvelope, JobSummary, string>,
  opts: ClusterWorkerOptions,
): Promise<void> {
  const release = setTimeout(() => {
    opts.logger.warn(
      { cluster: opts.cluster, afterMs: opts.shutdownTimeoutMs },
      'shutdown: handing running jobs back to the queue',
    );
    worker.cancelAllJobs('shutdown');
  }, opts.shutdownTimeoutMs);
  try {
    // Without Redis nothing can be completed or handed back: close at once.
    await worker.close(opts.connection.status !== 'ready');
  } finally {
    clearTimeout(release);
  }
}
