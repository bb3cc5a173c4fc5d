/** Any report for the terminal: its verdict line, optional body, findings and remedies. */
import type { Report } from '../../domain/report.js';
import { findingsText, headline } from './text.js';

export function renderReportText(report: Report, what: string, body?: string): string {
  return [
    headline(report, what),
    ...(body ? ['', body] : []),
    '',
    findingsText(report.findings),
    '',
  ].join('\n');
}
