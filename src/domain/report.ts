/**
 * The one vocabulary every operation reports in: findings with a severity, a title,
 * detail and a remedy. Renderers, exit codes and "healthy" all derive from it.
 */
export const SEVERITIES = ['ok', 'info', 'warn', 'crit'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  /** Stable identifier of the rule that produced it, e.g. `etcd.quorum`. */
  id: string;
  severity: Severity;
  title: string;
  detail?: string;
  /** What the operator should do next; pasteable commands where possible. */
  remedy?: string;
  /**
   * What it is about when a rule finds one per thing (`shop` for a namespace, `kube-system/
   * kube-apiserver-cp1 --profiling`): with `id`, it matches a finding across two runs.
   */
  subject?: string;
}

export interface Report<TData = unknown> {
  /** What produced it, e.g. `etcd.check`. */
  kind: string;
  cluster: string;
  startedAt: string;
  finishedAt: string;
  findings: Finding[];
  /** Set when the operation could not run at all (nothing reachable): exit status 3. */
  couldNotRun?: string;
  /**
   * Set by an action (defrag, snapshot, alarm disarm…) that did not (fully) happen: it
   * refused before changing anything, or stopped part-way. A job with such a report
   * failed, whatever its findings say. Read-only checks never set it: their crit
   * findings are about the cluster, not about the job.
   */
  incomplete?: Incomplete;
  /**
   * Observed numbers later runbook steps may test (`when: { metric: … }`), e.g.
   * `etcd.db.quota.percent`. A number that was not observed is absent, never 0.
   */
  metrics?: Record<string, number>;
  data: TData;
}

export interface Incomplete {
  /** `refused`: nothing was changed. `stopped`: it acted, but not to the end. */
  how: 'refused' | 'stopped';
  /**
   * One line for the log and the audit log, e.g.
   * `m1: not started: m0 is unhealthy (…); 0 of 3 member(s) defragmented`.
   */
  reason: string;
}

const RANK: Record<Severity, number> = { ok: 0, info: 0, warn: 1, crit: 2 };

/** The worst severity among the findings; `ok` when there are none. */
export function worstSeverity(findings: readonly Finding[]): Severity {
  let worst: Severity = 'ok';
  for (const f of findings) {
    if (RANK[f.severity] > RANK[worst]) worst = f.severity;
  }
  return worst;
}

/** Monitoring-plugin exit status: 0 ok, 1 warnings, 2 critical. (3 is "could not run".) */
export function exitStatus(findings: readonly Finding[]): 0 | 1 | 2 {
  return RANK[worstSeverity(findings)] as 0 | 1 | 2;
}

/** The exit status of a report: 3 when it could not run, else from its findings. */
export function reportExitStatus(report: Report): 0 | 1 | 2 | 3 {
  return report.couldNotRun ? 3 : exitStatus(report.findings);
}

/**
 * Why the operation behind this report did not do its work — it could not run, or it
 * refused or stopped — or undefined when it did (whatever it found). A job whose report
 * has a failure ended as failed.
 */
export function reportFailure(report: Report): string | undefined {
  if (report.couldNotRun) return `could not run: ${report.couldNotRun}`;
  if (report.incomplete) return `${report.incomplete.how}: ${report.incomplete.reason}`;
  return undefined;
}

/** Findings ordered crit, warn, info, ok, keeping the original order within a severity. */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  const order: Record<Severity, number> = { crit: 0, warn: 1, info: 2, ok: 3 };
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => order[a.f.severity] - order[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}
