/**
 * Where an incident's runbook run stands, as its root message shows it: an alert that
 * resolved while steps still wait is not over (etcd may still refuse writes until the
 * NOSPACE alarm is disarmed). Derived from a run by operations/runbooks/standing.ts.
 */
import type { Severity } from './report.js';

export interface OpenStep {
  title: string;
  /** `waiting`: for an approval or a Done click; `running`: its job runs; `pending`: not started. */
  status: 'pending' | 'running' | 'waiting';
  kind: 'diagnose' | 'action' | 'manual';
  /** What stays broken until it is done (the runbook's `untilDone`). */
  untilDone?: string;
}

export interface RunStanding {
  finished: boolean;
  /** Steps still to do, in order, the post-mortem phase left out (it never blocks "resolved"). */
  open: OpenStep[];
  /** Steps that did not happen, and why: skipped, rejected, expired, failed. */
  notDone: { title: string; why: string }[];
  /** The last diagnose step after the last action, once it ended: the run's final verdict. */
  finalCheck?: { title: string; severity: Severity; summary: string };
}
