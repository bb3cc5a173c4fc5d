/**
 * Where a job's progress and results go, decided by the target in the job: a Slack
 * thread (progress edits the root message, the report goes into the thread, the
 * verdict replaces the root) through the outbox, or the worker's terminal and log.
 * A job with a thread but no root (a runbook step, an approved job) has one progress
 * reply instead: posted on its first progress, edited in place after (the outbox sends
 * only the newest of the edits waiting), and left as it stands when the job ends — its
 * result is a message of its own. Message ids and refs derive from the job id, so a
 * retried job never posts its result, or its progress reply, twice.
 */
import { randomUUID } from 'node:crypto';
import { describeError, type QuorumError } from '../../domain/errors.js';
import type { Logger } from '../../domain/logger.js';
import type { Report } from '../../domain/report.js';
import type { Progress } from '../../domain/snapshot.js';
import { toUserError } from '../../domain/user-error.js';
import { renderReportText } from '../../render/terminal/report.js';
import type { ReportTarget } from './job-data.js';
import type { OutboxWriter } from './outbox.js';
import { formatDuration } from '../../domain/units.js';
import {
  escapeMrkdwn,
  jobFailureMessage,
  messageForReport,
  progressReplyMessage,
  rootMessage,
  rootStateOf,
  type RootState,
  type SlackMessage,
} from '../../render/block-kit/index.js';
import { progressRef } from './outbox-refs.js';
import { failureText, progressStep } from './report-message.js';

/** Plain mrkdwn text, or a Block Kit message (its `text` stays the notification). */
type Message = string | SlackMessage;
const asMessage = (m: Message) =>
  typeof m === 'string' ? { text: m } : { text: m.text, blocks: m.blocks as unknown[] };

export type { ReportTarget } from './job-data.js';

export interface JobInfo {
  id: string;
  /** "etcd snapshot of prod". */
  title: string;
  /** "etcd snapshot": what the report headline names (it adds "of prod" itself). */
  what: string;
  /** The catalogue name, the cluster and who asked: the root message is rebuilt from them. */
  kind: string;
  cluster: string;
  requestedBy: string;
}

export interface Reporter {
  progress(target: ReportTarget, job: JobInfo, p: Progress): Promise<void>;
  result(target: ReportTarget, job: JobInfo, report: Report): Promise<void>;
  /**
   * `error`: what the job threw, or (a string) why Quorum refused to run it. Slack is told
   * a QuorumError's message, hint and code; anything unexpected only as INTERNAL with the
   * job id, its text staying in the log. `retryInMs` when another attempt follows;
   * without it the job failed for good.
   */
  failure(target: ReportTarget, job: JobInfo, error: unknown, retryInMs?: number): Promise<void>;
}

export interface ReporterDeps {
  outbox: OutboxWriter;
  logger: Logger;
  /** The terminal target writes here (the worker's stdout). */
  stdout: (text: string) => void;
}

type SlackTarget = Extract<ReportTarget, { kind: 'slack' }>;

/** A reason Quorum wrote (a string) is shown as it is; a thrown value as toUserError says. */
const toldOf = (error: unknown, job: JobInfo): string | QuorumError =>
  typeof error === 'string' ? error : toUserError(error, `job ${job.id}`);

export function createReporter(deps: ReporterDeps): Reporter {
  const { outbox, logger } = deps;
  const reply = async (t: SlackTarget, id: string, message: Message) => {
    await outbox.push({
      op: 'post',
      id,
      channel: t.channel,
      threadTs: t.threadTs ?? t.rootTs,
      threadRef: t.threadRef,
      ...asMessage(message),
    });
  };
  const editRoot = async (t: SlackTarget, id: string, message: Message, final: boolean) => {
    if (t.rootTs)
      await outbox.push({
        op: 'update',
        id,
        channel: t.channel,
        ts: t.rootTs,
        ...asMessage(message),
        final,
      });
  };
  /** The first push posts the reply; a later one (its id seen) edits it, by its ref. */
  const progressReply = async (t: SlackTarget, job: JobInfo, step: string) => {
    const message = asMessage(progressReplyMessage(job.title, step));
    const ref = progressRef(job.id);
    const posted = await outbox.push({
      op: 'post',
      id: `${job.id}.progress`,
      channel: t.channel,
      threadTs: t.threadTs,
      threadRef: t.threadRef,
      ref,
      ...message,
    });
    if (!posted)
      await outbox.push({
        op: 'update',
        id: `${job.id}.p.${randomUUID()}`,
        channel: t.channel,
        ref,
        ...message,
        final: false,
      });
  };
  const root = (job: JobInfo, state: RootState) =>
    rootMessage(job.kind, job.cluster, job.requestedBy, state);
  return {
    async progress(target, job, p) {
      if (target.kind === 'terminal') {
        logger.info({ job: job.id, progress: p }, `${job.title}: ${p.step}`);
        return;
      }
      const step = progressStep(p);
      if (!target.rootTs) {
        // No thread either (a scheduled job's channel): nothing to keep up to date in place.
        if (target.threadTs || target.threadRef) await progressReply(target, job, step);
        return;
      }
      await editRoot(
        target,
        `${job.id}.p.${randomUUID()}`,
        root(job, { status: 'running', step }),
        false,
      );
    },
    async result(target, job, report) {
      if (target.kind === 'terminal') {
        deps.stdout(renderReportText(report, job.what));
        return;
      }
      await reply(target, `${job.id}.result`, messageForReport(report));
      // An operation that refused or stopped failed, whatever its findings count.
      const state: RootState = report.incomplete ? { status: 'failed' } : rootStateOf(report);
      await editRoot(target, `${job.id}.verdict`, root(job, state), true);
    },
    async failure(target, job, error, retryInMs) {
      if (target.kind === 'terminal') {
        // The worker's own log: the whole story, internal text included.
        const text = failureText(job.title, describeError(error), retryInMs);
        logger[retryInMs === undefined ? 'error' : 'warn']({ job: job.id }, text);
        return;
      }
      const told = toldOf(error, job);
      const reason = typeof told === 'string' ? told : (told.message.split('\n')[0] ?? told.code);
      const text = failureText(job.title, reason, retryInMs);
      if (retryInMs !== undefined) {
        // A retry is progress: it edits the root, or (no root) says so in the thread once.
        if (target.rootTs) {
          const step = `retrying in ${formatDuration(retryInMs)}: ${reason}`;
          await editRoot(
            target,
            `${job.id}.p.${randomUUID()}`,
            root(job, { status: 'running', step }),
            false,
          );
        } else await reply(target, `${job.id}.retry.${randomUUID()}`, escapeMrkdwn(text));
        return;
      }
      const message =
        typeof told === 'string' ? escapeMrkdwn(text) : jobFailureMessage(job.title, told);
      await reply(target, `${job.id}.result`, message);
      await editRoot(target, `${job.id}.verdict`, root(job, { status: 'failed' }), true);
    },
  };
}
