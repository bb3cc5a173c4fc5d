/** The one-line verdict of a report, and the names of report kinds, for Slack. */
import type { Finding, Report, Severity } from '../../domain/report.js';
import { escapeMrkdwn } from './escape.js';

/** One sign per severity, as in the terminal. */
export const SIGN: Record<Severity, string> = { ok: '✔', info: 'ℹ', warn: '▲', crit: '✖' };

const KIND_LABELS: Record<string, string> = {
  'etcd.check': 'etcd check',
  'etcd.snapshot': 'etcd snapshot',
  'etcd.snapshot.list': 'etcd snapshot list',
  'etcd.snapshot.verify': 'etcd snapshot verify',
  'etcd.restore-plan': 'etcd restore plan',
  'etcd.defrag': 'etcd defrag',
  'etcd.compact': 'etcd compaction',
  'etcd.alarms': 'etcd alarms',
  'etcd.alarms.disarm': 'etcd alarm disarm',
  'kube.node': 'node diagnosis',
  'kube.control-plane': 'control plane check',
  'kube.cordon': 'cordon',
  'kube.uncordon': 'uncordon',
  'kube.drain': 'drain',
};

/** `etcd.defrag` → `etcd defrag`; unknown kinds with their dots as spaces. Not escaped. */
export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind.replace(/\./g, ' ');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `1 critical, 2 warnings`, or '' when neither. */
export function countsText(criticals: number, warnings: number): string {
  return [criticals ? `${criticals} critical` : '', warnings ? plural(warnings, 'warning') : '']
    .filter(Boolean)
    .join(', ');
}

export function countFindings(findings: readonly Finding[]) {
  return {
    criticals: findings.filter((f) => f.severity === 'crit').length,
    warnings: findings.filter((f) => f.severity === 'warn').length,
  };
}

/** `▲ 2 warnings`, `✔ healthy`, `✖ could not run: …` — escaped, no mrkdwn markup. */
export function verdictText(report: Report, okWord = 'ok'): string {
  if (report.couldNotRun) return `${SIGN.crit} could not run: ${escapeMrkdwn(report.couldNotRun)}`;
  const { criticals, warnings } = countFindings(report.findings);
  const sign = criticals ? SIGN.crit : warnings ? SIGN.warn : SIGN.ok;
  return `${sign} ${countsText(criticals, warnings) || okWord}`;
}
