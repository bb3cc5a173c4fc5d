/**
 * The worker's one way to write a job's audit entries. Before a kind that changes the
 * cluster acts, its `job.started` entry is required: when it cannot be written the job
 * does not act (`require` says why). Every other entry is noted on a best-effort basis:
 * a failure is logged and the job goes on — also one the caller writes in one script
 * with the job's result (`entry`, then `noted`: state/job-audited.ts).
 */
import { describeError } from '../../domain/errors.js';
import type { Logger } from '../../domain/logger.js';
import type { AuditEvent } from '../../domain/audit.js';
import { auditStreamKey, tryAppendAudit, type AuditWrite } from '../../state/audit.js';
import type { StateRedis } from '../../state/redis.js';

export interface JobAuditDeps {
  redis: StateRedis;
  prefix: string;
  logger: Logger;
}

/** Who asked for what, on which cluster, as every entry of one job repeats it. */
export interface JobAuditSubject {
  jobId: string;
  who: string;
  cluster: string;
  action: string;
  /** e.g. `approved by U2`. */
  detail?: string;
}

export type JobAuditType = 'job.started' | 'job.finished';

export interface JobAudit {
  /** Best effort: a failure is logged, never the job's. */
  note(type: JobAuditType, outcome?: string): Promise<void>;
  /** Written, or why not (the caller must not act). */
  require(type: JobAuditType, outcome?: string): Promise<{ ok: true } | { ok: false; why: string }>;
  /** The entry `note` writes, for a caller that writes it in one script with other state. */
  entry(type: JobAuditType, outcome?: string): AuditEvent;
  /** Logs an entry written that way that failed, as `note` does. */
  noted(type: JobAuditType, written: AuditWrite): void;
}

export function jobAudit(deps: JobAuditDeps, subject: JobAuditSubject): JobAudit {
  const entry = (type: JobAuditType, outcome?: string): AuditEvent => ({
    type,
    who: subject.who,
    cluster: subject.cluster,
    action: subject.action,
    params: { job: subject.jobId },
    outcome,
    detail: subject.detail,
    at: Date.now(),
  });
  const write = (type: JobAuditType, outcome?: string) =>
    tryAppendAudit(deps.redis, deps.prefix, entry(type, outcome));
  const noted = (type: JobAuditType, written: AuditWrite) => {
    if (!written.ok)
      deps.logger.warn({ err: written.error, job: subject.jobId, type }, 'audit log not written');
  };
  return {
    entry,
    noted,
    async note(type, outcome) {
      noted(type, await write(type, outcome));
    },
    async require(type, outcome) {
      const written = await write(type, outcome);
      if (written.ok) return { ok: true };
      deps.logger.error(
        { err: written.error, job: subject.jobId, type },
        'audit log not written: the job does not act',
      );
      return { ok: false, why: auditRefusal(deps.prefix, written.error) };
    },
  };
}

/** What the thread is told when a kind that changes the cluster could not be audited. */
function auditRefusal(prefix: string, error: unknown): string {
  return (
    `the audit log could not be written (${describeError(error)}), so the job did not start: ` +
    `nothing was changed. Make Redis accept writes to the audit stream ${auditStreamKey(prefix)} ` +
    `(it must be a stream; the Redis log tells of memory or persistence errors), then ask again.`
  );
}
