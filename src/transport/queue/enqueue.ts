/**
 * Idempotent enqueue. The job id comes from the request id (Slack's trigger id or
 * action timestamp, an alert's fingerprint and time), so a re-delivered request or a
 * double click adds the job once: BullMQ ignores an add whose id exists. Whether this
 * call added it is told by a nonce that only the first add stores, read back in the
 * same round trip as the add.
 */
import { randomUUID } from 'node:crypto';
import { Job, type JobsOptions } from 'bullmq';
import { QuorumError } from '../../domain/errors.js';
import type { Enqueued, JobRequest, JobSink } from '../../domain/job-request.js';
import { findJobKind, CATALOGUE } from './catalogue.js';
import { describeIssues, type JobEnvelope } from './job-data.js';
import type { JobKind } from './job-kind.js';
import { jobIdFor } from './names.js';
import type { ClusterQueue, JobQueues } from './queues.js';

export type { Enqueued, JobRequest } from '../../domain/job-request.js';

/** Completed jobs are kept a day: the window in which a repeated request id is recognised. */
const KEEP_COMPLETED = { age: 24 * 3600, count: 10_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600, count: 10_000 };

/** BullMQ options of a kind: attempts, backoff, retention of finished jobs. */
export function jobOptions(kind: JobKind): JobsOptions {
  return {
    attempts: kind.attempts,
    backoff: { ...kind.backoff },
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  };
}

/** Validates the request against the catalogue; JOB_INVALID names what is wrong. */
export function checkRequest(request: JobRequest): JobKind {
  const kind = findJobKind(request.kind);
  if (!kind) {
    throw new QuorumError(
      'JOB_INVALID',
      `Unknown job kind "${request.kind}".`,
      `Use one of: ${[...CATALOGUE.keys()].join(', ')}.`,
    );
  }
  const parsed = kind.params.safeParse(request.params ?? {});
  if (!parsed.success) {
    throw new QuorumError(
      'JOB_INVALID',
      `${kind.name}: ${describeIssues(parsed.error, 'params')}`,
      'Fix the parameters; see the job catalogue in docs/queue.md.',
    );
  }
  if (kind.destructive && !request.approval) {
    throw new QuorumError(
      'JOB_INVALID',
      `${kind.name} changes the cluster and needs an approval before it is enqueued.`,
      'Ask for approval first; the approved request carries approval.id and approval.approvedBy.',
    );
  }
  return kind;
}

export async function enqueueJob(queues: JobQueues, request: JobRequest): Promise<Enqueued> {
  const kind = checkRequest(request);
  const queue = queues.queue(request.cluster);
  const jobId = jobIdFor(kind.name, request.requestId);
  const nonce = randomUUID();
  const data: JobEnvelope = {
    cluster: request.cluster,
    params: request.params ?? {},
    requestId: request.requestId,
    requestedBy: request.requestedBy,
    target: request.target,
    approval: request.approval,
    ...(request.runbook ? { runbook: request.runbook } : {}),
    enqueuedAt: new Date().toISOString(),
    nonce,
  };
  const storedNonce = await addAndReadNonce(queue, kind.name, data, {
    ...queue.defaultJobOptions,
    ...jobOptions(kind),
    jobId,
  });
  // Gone already only if it ran and was removed: then this add created it.
  return { jobId, created: storedNonce === undefined || storedNonce === nonce };
}

/**
 * BullMQ's add (its own script) and, sent right behind it on the same connection, a
 * read of the stored job's nonce: Redis runs them in that order, so the read sees the
 * nonce of whichever add came first — in one round trip. Should the read find no job
 * (the add's script was re-sent after NOSCRIPT, behind the read; or the job ran and was
 * removed), it reads again once the add is done.
 */
async function addAndReadNonce(
  queue: ClusterQueue,
  name: string,
  data: JobEnvelope,
  opts: JobsOptions & { jobId: string },
): Promise<string | undefined> {
  const client = await queue.getBackend().client;
  const key = queue.toKey(opts.jobId);
  const added = new Job(queue, name, data, opts, opts.jobId).addJob(client);
  const read = client.hget(key, 'data');
  const [, first] = await Promise.all([added, read]);
  const stored = first ?? (await client.hget(key, 'data'));
  return stored === null ? undefined : (JSON.parse(stored) as Partial<JobEnvelope>).nonce;
}

/** The queues as workflows see them. */
export function jobSink(queues: JobQueues): JobSink {
  return { enqueue: (request) => enqueueJob(queues, request) };
}
