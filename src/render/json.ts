/** The machine-readable form of any report: stable keys, pretty-printed. */
import { reportExitStatus, worstSeverity, type Report } from '../domain/report.js';

export function renderJson(report: Report): string {
  const summary = {
    status: report.couldNotRun ? 'unknown' : worstSeverity(report.findings),
    exitCode: reportExitStatus(report),
  };
  return `${JSON.stringify({ ...summary, ...report }, null, 2)}\n`;
}
