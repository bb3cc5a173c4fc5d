/**
 * What the approval workflow works with: the store, the job sink, the outbox (every
 * Slack write), the audit log, and whoever waits on an action step's decision (the
 * runbook engine). Ports are declared here, by their user.
 */
import type { JobSink } from '../../domain/job-request.js';
import type { Logger } from '../../domain/logger.js';
import type { OutboxWriter } from '../../domain/outbox-message.js';
import type { ApprovalStore } from '../../state/approvals.js';
import type { StateRedis } from '../../state/redis.js';

export type RunbookLink = { run: string; step: string };

/** Told of an action step's decision, and of a job that could never be queued. */
export interface ApprovalDecisionListener {
  decided(link: RunbookLink, decision: 'approved' | 'rejected', by: string): Promise<void>;
  jobEnded(link: RunbookLink, outcome: { ok: false; reason: string }): Promise<void>;
}

export interface ApprovalWorkflowDeps {
  approvals: ApprovalStore;
  jobs: JobSink;
  outbox: OutboxWriter;
  /** Where the audit log is written. */
  redis: StateRedis;
  prefix: string;
  logger: Logger;
  /** The runbook engine, in processes that run runbooks. */
  runbooks?: ApprovalDecisionListener;
  /** ms since the epoch, for audit times and the sweeps; Date.now by default. */
  now?: () => number;
}
