/** What a step's job ended with, as walk.ts takes it. */
import { worstSeverity, type Report } from '../../domain/report.js';
import { MAX_KEPT_FINDINGS } from '../../domain/runbook-run.js';
import type { StepOutcome } from '../../operations/runbooks/walk.js';

/**
 * The outcome a step's report stands for: its worst finding and headline, and what it
 * found (findings' ids, severities and titles; its metrics) for later steps' `when:`.
 */
export function outcomeOfReport(report: Report): StepOutcome {
  if (report.couldNotRun) return { ok: false, reason: report.couldNotRun };
  const severity = worstSeverity(report.findings);
  const worst = report.findings.find((f) => f.severity === severity) ?? report.findings[0];
  return {
    ok: true,
    severity,
    summary: worst?.title ?? 'done',
    findings: report.findings
      .slice(0, MAX_KEPT_FINDINGS)
      .map((f) => ({ id: f.id, severity: f.severity, title: f.title.slice(0, 200) })),
    metrics: { ...report.metrics },
  };
}

/** The outcome of a job's end as the worker tells it: a report, or why it failed. */
export const outcomeOfJobEnd = (end: { report: Report } | { failure: string }): StepOutcome =>
  'report' in end ? outcomeOfReport(end.report) : { ok: false, reason: end.failure };
