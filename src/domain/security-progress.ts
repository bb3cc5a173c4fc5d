/**
 * The security audit across runs: what an audit keeps of itself for the next one (its open
 * findings and when it finished), and what changed since — fixed, new, still open. Findings
 * match across runs by `id` and `subject` (no subject: ''). The rules are
 * operations/security/progress.ts; the one line that says it is here, for every renderer.
 */
import type { Finding } from './report.js';

/** What a run keeps of a finding: what matches it and what to call it. */
export type KeptFinding = Pick<Finding, 'id' | 'severity' | 'title' | 'subject'>;

/** One audit as the next one compares with it. */
export interface AuditRun {
  /** ISO 8601: the report's finishedAt. */
  finishedAt: string;
  /** Its open (crit or warn) findings. */
  findings: KeptFinding[];
}

export interface AuditProgress {
  /** When the run compared with finished (ISO 8601); absent for the first audit on record. */
  since?: string;
  /** Open then, not now (ok or info now, or gone from a part that was checked). */
  fixed: KeptFinding[];
  /** Open now, not then. The first audit on record has none: nothing to compare with. */
  opened: KeptFinding[];
  /** Open then and now (a warn that became crit is still open); on a first audit, every open one. */
  stillOpen: number;
  /**
   * Open then and not seen now because the part of the audit that finds them could not
   * check (a `….unchecked` warning, no finding of that id at all): not counted as fixed.
   */
  unchecked: KeptFinding[];
}

/** What an audit job stores: its run, and the run it compared with. */
export interface AuditHistoryRecord {
  jobId: string;
  previous?: AuditRun;
  current: AuditRun;
}

/** Each cluster's last audit, kept between runs (state/security-history.ts). */
export interface SecurityHistory {
  /**
   * The run job `jobId` compares with: the cluster's last audit — or, when `jobId` itself
   * stored it (a retry whose report was never recorded), what that job compared with.
   */
  before(cluster: string, jobId: string): Promise<AuditRun | undefined>;
  /** Keeps `record` as the cluster's last audit. */
  keep(cluster: string, record: AuditHistoryRecord): Promise<void>;
}

/** `2026-11-28`: the UTC day of an ISO 8601 time (the text as given when it is none). */
function utcDay(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : iso;
}

/**
 * `3 fixed since 2026-11-28 · 1 new · 12 still open` (` · 2 unchecked` when a part could not
 * check); the first audit on record: `first audit on record: 12 open`.
 */
export function progressLine(p: AuditProgress): string {
  if (p.since === undefined) return `first audit on record: ${p.stillOpen} open`;
  const parts = [
    `${p.fixed.length} fixed since ${utcDay(p.since)}`,
    `${p.opened.length} new`,
    `${p.stillOpen} still open`,
    ...(p.unchecked.length ? [`${p.unchecked.length} unchecked`] : []),
  ];
  return parts.join(' · ');
}
