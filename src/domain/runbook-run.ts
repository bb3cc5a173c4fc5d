/**
 * One run of a runbook in one incident thread, as kept in Redis (state/runbook-runs.ts):
 * the runbook, its parameters, where its thread is, each step's state and a timeline
 * for the post-mortem. Changed only through operations/runbooks/walk.ts, so every change
 * is a pure function.
 */
import type { Severity } from './report.js';

/** `expired`: it waited past its bound (an approval nobody gave in time, a run abandoned). */
export type StepStatus =
  'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'skipped' | 'expired';

export interface StepState {
  id: string;
  status: StepStatus;
  /** The worst finding of the step's report (diagnose and action steps). */
  severity?: Severity;
  /** One line: what it found, why it failed, who rejected it or ticked it off. */
  summary?: string;
  /** Who approved, rejected or ticked the step off. */
  by?: string;
  at?: number;
  /**
   * What the step's report found (done steps; at most MAX_KEPT_FINDINGS): what the
   * `when:` of later steps reads. Absent: nothing was observed.
   */
  findings?: FindingBrief[];
  /** The report's named numbers, e.g. `etcd.db.quota.percent`. */
  metrics?: Record<string, number>;
  /** Set when the step was skipped because its `when:` was false (summary says why). */
  skippedBy?: 'condition';
}

/** A finding as a run keeps it: enough to test, not to show (no detail, no remedy). */
export interface FindingBrief {
  id: string;
  severity: Severity;
  title: string;
}

export const MAX_KEPT_FINDINGS = 50;

export interface TimelineEntry {
  at: number;
  text: string;
  /** The person the entry names (`text` has them as the raw id): shown as a mention. */
  who?: string;
}

/** The thread a run lives in: its root ts, or the outbox ref its root is posted under. */
export interface RunThread {
  channel: string;
  ts?: string;
  ref?: string;
}

export interface RunbookRun {
  id: string;
  runbook: string;
  title: string;
  cluster: string;
  params: Record<string, string>;
  thread: RunThread;
  /** `alertmanager` or the Slack user who ran it. */
  startedBy: string;
  startedAt: number;
  finishedAt?: number;
  outcome?: 'completed' | 'stopped';
  steps: StepState[];
  timeline: TimelineEntry[];
  /** Bumped by every stored change (compare-and-set). */
  version: number;
}

export const isTerminal = (s: StepStatus) => s !== 'pending' && s !== 'running' && s !== 'waiting';

/** When a run last changed: its newest timeline entry (every change of walk.ts adds one). */
export const lastChangeOf = (run: RunbookRun) => run.timeline.at(-1)?.at ?? run.startedAt;
