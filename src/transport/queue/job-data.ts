/**
 * What every job carries besides its own parameters: the cluster, who asked, the
 * request it came from, and where its results go. The target travels in the job,
 * so results reach their Slack thread even if the bot restarted in between.
 */
import { z } from 'zod';
import type { ReportTarget } from '../../domain/job-request.js';

export const reportTargetSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('slack'),
      /** Channel ID (`C…`, `G…`, `D…`). */
      channel: z.string().min(1),
      /** Replies go into this thread; without it, into the channel. */
      threadTs: z.string().min(1).optional(),
      /** Or the thread of a message the outbox posts under this ref (an alert's root). */
      threadRef: z.string().min(1).optional(),
      /** The root message that progress edits and the final verdict replaces. */
      rootTs: z.string().min(1).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('terminal') }).strict(),
]);

export type { ReportTarget } from '../../domain/job-request.js';
/** The schema parses into exactly the domain's ReportTarget (a compile-time check). */
export const REPORT_TARGET_MATCH: [z.output<typeof reportTargetSchema>, ReportTarget] extends [
  ReportTarget,
  z.output<typeof reportTargetSchema>,
]
  ? true
  : never = true;

export const jobEnvelopeSchema = z.object({
  cluster: z.string().min(1),
  /** The kind's own parameters, checked against its schema in the catalogue. */
  params: z.unknown(),
  requestId: z.string().min(1),
  /** `U024BE7LH`, `alice@cp-1 (cli)`, `schedule etcd.snapshot`. */
  requestedBy: z.string().min(1),
  target: reportTargetSchema,
  /** Required for destructive kinds: the approval that let it run. */
  approval: z.object({ id: z.string().min(1), approvedBy: z.string().min(1) }).optional(),
  /** Set when the job is a step of a runbook run: its end advances the run. */
  runbook: z.object({ run: z.string().min(1), step: z.string().min(1) }).optional(),
  enqueuedAt: z.string(),
  /** Tells a fresh enqueue from a duplicate of an earlier one. */
  nonce: z.string().optional(),
});

export type JobEnvelope = z.output<typeof jobEnvelopeSchema>;

/** What a job returns (kept in Redis with the job): the report without its bulky data. */
export interface JobSummary {
  kind: string;
  cluster: string;
  startedAt: string;
  finishedAt: string;
  couldNotRun?: string;
  findings: { id: string; severity: string; title: string }[];
}

/** Zod issues as `params.timeoutMs: Expected number` lines. */
export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues
    .map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}
