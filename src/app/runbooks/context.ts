/**
 * What every part of the runbook engine shares: its dependencies (ports, not
 * transports: jobs through a JobSink, Slack through the outbox), the clock, and the
 * small writes each part makes — the checklist edit, an audit line, a post in the
 * run's thread.
 */
import type { Config } from '../../config/schema.js';
import type { AuditEventType } from '../../domain/audit.js';
import type { JobSink } from '../../domain/job-request.js';
import type { Logger } from '../../domain/logger.js';
import type { OutboxWriter } from '../../domain/outbox-message.js';
import type { RunbookRun } from '../../domain/runbook-run.js';
import type { Runbook } from '../../domain/runbook.js';
import { findRunbook } from '../../operations/runbooks/load.js';
import type { SlackMessage } from '../../render/block-kit/index.js';
import { checklistMessage } from '../../render/block-kit/runbook.js';
import type { ApprovalStore } from '../../state/approvals.js';
import { appendAudit } from '../../state/audit.js';
import type { StateRedis } from '../../state/redis.js';
import { threadWriter, type ThreadWriter } from '../thread-writer.js';
import { listRef } from './ids.js';

export interface RunbookEngineDeps {
  redis: StateRedis;
  prefix: string;
  outbox: OutboxWriter;
  /** Where a step's job is asked for (`jobSink(queues)` in the runtime). */
  jobs: JobSink;
  approvals: Pick<ApprovalStore, 'getApproval' | 'createApproval'>;
  runbooks: readonly Runbook[];
  config: Pick<Config, 'approvers' | 'approvals'>;
  logger: Logger;
  now?: () => number;
  /**
   * How long a step's job may take from enqueue to its end, every attempt and retry
   * included (from the job catalogue); undefined for an unknown kind. The sweep fails a
   * step running longer (plus some queueing).
   */
  jobBoundMs?: (job: string, cluster: string) => number | undefined;
  /**
   * Told after every stored change of a run (the incident workflow re-renders the
   * incident's root from it: an alert resolved while steps still wait is not over).
   */
  onRunChanged?: (run: RunbookRun) => Promise<void>;
}

export type RunAuditType = Extract<AuditEventType, `runbook.${string}`>;

export interface RunContext {
  deps: RunbookEngineDeps;
  now(): number;
  runbookOf(run: RunbookRun): Runbook;
  thread(run: RunbookRun): ThreadWriter;
  /** Edits the checklist and tells onRunChanged. */
  refreshChecklist(run: RunbookRun): Promise<void>;
  post(run: RunbookRun, id: string, message: SlackMessage, ref?: string): Promise<void>;
  /** Best effort: a lost audit line is logged, never the run's failure. */
  audit(
    run: RunbookRun,
    type: RunAuditType,
    action: string,
    outcome?: string,
    who?: string,
  ): Promise<void>;
}

export function runContext(deps: RunbookEngineDeps): RunContext {
  const now = deps.now ?? Date.now;
  const runbookOf = (run: RunbookRun) => findRunbook(deps.runbooks, run.runbook);
  const thread = (run: RunbookRun) => threadWriter(deps.outbox, run.thread);
  return {
    deps,
    now,
    runbookOf,
    thread,
    async refreshChecklist(run) {
      const ref = listRef(run);
      const message = checklistMessage(run, runbookOf(run));
      await thread(run).edit(ref, `${ref}-v${run.version}`, message, run.finishedAt !== undefined);
      // Best effort: the root catches up at the run's next change.
      await deps
        .onRunChanged?.(run)
        .catch((err: unknown) =>
          deps.logger.warn({ err, run: run.id }, 'incident root not refreshed'),
        );
    },
    async post(run, id, message, ref) {
      await thread(run).post(id, message, ref);
    },
    async audit(run, type, action, outcome, who = run.startedBy) {
      const event = { type, who, cluster: run.cluster, action, outcome, params: { run: run.id } };
      await appendAudit(deps.redis, deps.prefix, { ...event, at: now() }).catch((err: unknown) =>
        deps.logger.warn({ err }, 'audit log not written'),
      );
    },
  };
}
