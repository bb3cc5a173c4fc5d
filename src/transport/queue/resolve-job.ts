/**
 * A job as the worker sees it before it runs anything: its kind from the catalogue, its
 * envelope and params by their schemas, its cluster from the config — or, for a job
 * that cannot run, an UnrecoverableError saying what is wrong (reported in its thread).
 * A destructive job also needs an approval the store holds as approved for that action
 * on that cluster: a job written into Redis by hand, or replayed, does not run.
 */
import { UnrecoverableError } from 'bullmq';
import { approvalStore } from '../../state/approvals.js';
import { findJobKind } from './catalogue.js';
import {
  describeIssues,
  jobEnvelopeSchema,
  type JobEnvelope,
  type ReportTarget,
} from './job-data.js';
import type { ClusterJob, ProcessorDeps, Resolved } from './processor-deps.js';
import { jobTitle } from './report-message.js';
import type { JobInfo } from './reporter.js';

/** The kind, envelope, params and cluster of a job, or an UnrecoverableError saying what is wrong. */
export async function resolveJob(job: ClusterJob, deps: ProcessorDeps): Promise<Resolved> {
  const envelope = jobEnvelopeSchema.safeParse(job.data);
  const reject = (reason: string) =>
    refuseJob(job, deps, reason, envelope.success ? envelope.data : undefined);
  const kind = findJobKind(job.name);
  if (!kind) return reject(`unknown job kind "${job.name}"`);
  if (!envelope.success) return reject(describeIssues(envelope.error, 'data'));
  const params = kind.params.safeParse(envelope.data.params);
  if (!params.success) return reject(describeIssues(params.error, 'params'));
  const cluster = deps.config.clusters.find((c) => c.name === envelope.data.cluster);
  if (!cluster) return reject(`cluster "${envelope.data.cluster}" is not configured here`);
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

/** For a destructive kind: refuses (UnrecoverableError, reported) a job without a valid approval. */
export async function checkApproval(job: ClusterJob, r: Resolved, deps: ProcessorDeps) {
  if (!r.kind.destructive) return;
  const problem = await approvalProblem(deps, r.kind.name, r.envelope);
  if (problem) await refuseJob(job, deps, problem, r.envelope);
}

/** Logs, counts and reports why a job cannot run; throws the UnrecoverableError. */
async function refuseJob(
  job: ClusterJob,
  deps: ProcessorDeps,
  reason: string,
  envelope: JobEnvelope | undefined,
): Promise<never> {
  deps.logger.error({ job: job.id, name: job.name }, `job refused: ${reason}`);
  deps.metrics.jobsFailed.inc({ kind: job.name, cluster: String(job.data?.cluster) });
  const target: ReportTarget | undefined = envelope?.target;
  if (target) {
    const info: JobInfo = {
      id: job.id ?? '?',
      title: job.name,
      what: job.name,
      kind: job.name,
      cluster: envelope?.cluster ?? '?',
      requestedBy: envelope?.requestedBy ?? '?',
    };
    await deps.reporter.failure(target, info, reason);
  }
  throw new UnrecoverableError(reason);
}

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
