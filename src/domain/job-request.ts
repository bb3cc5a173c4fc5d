/**
 * A request for a job, as every intake (Slack, alerts, schedules, runbooks, the CLI)
 * makes it, and where its results go. The queue (transport/queue/enqueue.ts) checks a
 * request against the catalogue and adds it; workflows ask for jobs through `JobSink`.
 */

/** Where a job's progress and results go: a Slack thread, or the worker's terminal/log. */
export type ReportTarget =
  | {
      kind: 'slack';
      /** Channel ID (`C…`, `G…`, `D…`). */
      channel: string;
      /** Replies go into this thread; without it, into the channel. */
      threadTs?: string;
      /** Or the thread of a message the outbox posts under this ref (an alert's root). */
      threadRef?: string;
      /** The root message that progress edits and the final verdict replaces. */
      rootTs?: string;
    }
  | { kind: 'terminal' };

export interface JobRequest {
  /** A catalogue name, e.g. `etcd.snapshot`. */
  kind: string;
  cluster: string;
  params?: unknown;
  /** Unique per user action; a repeat of the same id enqueues nothing. */
  requestId: string;
  requestedBy: string;
  target: ReportTarget;
  /** Required for destructive kinds. */
  approval?: { id: string; approvedBy: string };
  /** The runbook run and step this job is, when it is one. */
  runbook?: { run: string; step: string };
}

export interface Enqueued {
  jobId: string;
  /** False when a job with this request id already existed (a duplicate delivery). */
  created: boolean;
}

/** How workflows ask for a job; the BullMQ queues implement it (enqueueJob). */
export interface JobSink {
  enqueue(request: JobRequest): Promise<Enqueued>;
}
