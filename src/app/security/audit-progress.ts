/**
 * An audit job's progress since the cluster's last audit: compared with the run kept in
 * Redis, then kept itself for the next one — once per job: a retry of a job that kept its
 * run already (its report never recorded) compares with what that job compared with, so
 * it says the same, never `0 fixed · 0 new`. A report that could not run keeps nothing.
 */
import type { SecurityHistory } from '../../domain/security-progress.js';
import type { SecurityAuditReport } from '../../domain/security.js';
import { auditProgress, runToKeep } from '../../operations/security/progress.js';

export async function auditWithProgress(
  history: SecurityHistory,
  jobId: string,
  report: SecurityAuditReport,
): Promise<SecurityAuditReport> {
  if (report.couldNotRun) return report;
  const previous = await history.before(report.cluster, jobId);
  const progress = auditProgress(previous, report.findings);
  const current = runToKeep(report.finishedAt, report.findings, progress);
  await history.keep(report.cluster, { jobId, ...(previous ? { previous } : {}), current });
  return { ...report, data: { ...report.data, progress } };
}
