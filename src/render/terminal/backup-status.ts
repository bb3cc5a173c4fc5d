/**
 * `backup status` for the terminal: the verdict, one line per half with its own verdict,
 * then each half — "Cluster state (etcd)" and "Application data (Velero)" — with its facts,
 * its findings and what to do about them.
 */
import type { Finding } from '../../domain/report.js';
import { worstSeverity } from '../../domain/report.js';
import {
  backupHalves,
  factText,
  type BackupHalf,
  type BackupStatusView,
} from '../backup-halves.js';
import { findingsText, headline, SIGN } from './text.js';

/** `✖ 1 critical, 2 warnings`, or `✔ ok`. */
function halfVerdict(findings: readonly Finding[]): string {
  const crit = findings.filter((f) => f.severity === 'crit').length;
  const warn = findings.filter((f) => f.severity === 'warn').length;
  const counts = [
    crit ? `${crit} critical` : '',
    warn ? `${warn} warning${warn === 1 ? '' : 's'}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${SIGN[worstSeverity(findings)]} ${counts || 'ok'}`;
}

function halfText(half: BackupHalf): string {
  // The shared findings text, without its FINDINGS heading: the half's title is the heading.
  const findings = findingsText(half.findings).replace(/^FINDINGS\n?/, '');
  return [
    `${half.title}: ${halfVerdict(half.findings)}`,
    ...half.facts.map((f) => `  ${factText(f)}`),
    ...(findings ? ['', findings] : []),
  ].join('\n');
}

export function renderBackupStatusText(report: BackupStatusView): string {
  const head = headline(report, 'backup status');
  if (report.couldNotRun) return `${head}\n`;
  const halves = backupHalves(report);
  const width = Math.max(...halves.map((h) => h.title.length)) + 1;
  const summary = halves.map((h) => `  ${`${h.title}:`.padEnd(width)}  ${halfVerdict(h.findings)}`);
  return [head, ...summary, '', halves.map(halfText).join('\n\n'), ''].join('\n');
}
