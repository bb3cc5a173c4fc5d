/** Plain-text building blocks for terminal reports: severity signs, tables, findings. */
import { bySeverity, type Finding, type Report, type Severity } from '../../domain/report.js';

export const SIGN: Record<Severity, string> = { ok: '✔', info: 'ℹ', warn: '▲', crit: '✖' };
const WORD: Record<Severity, string> = { ok: 'OK', info: 'INFO', warn: 'WARN', crit: 'CRIT' };

/** Left-aligned columns, two spaces apart; cells never wrap. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const indent = (text: string, pad: string) =>
  text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');

/** Findings worst first, each with its detail; then the remedies, numbered. */
export function findingsText(findings: readonly Finding[]): string {
  const sorted = bySeverity(findings);
  const lines = sorted.map((f) => {
    const head = `${SIGN[f.severity]} ${WORD[f.severity].padEnd(4)}  ${f.title}`;
    return f.detail ? `${head}\n${indent(f.detail, '         ')}` : head;
  });
  const remedies = sorted.filter(
    (f) => f.remedy && (f.severity === 'crit' || f.severity === 'warn'),
  );
  const out = ['FINDINGS', ...lines];
  if (remedies.length) {
    out.push('', 'WHAT TO DO');
    remedies.forEach((f, i) => out.push(`${i + 1}. ${f.title}`, indent(f.remedy ?? '', '   ')));
  }
  return out.join('\n');
}

/** The one-line verdict that opens every report. */
export function headline(report: Report, what: string, okWord = 'ok'): string {
  if (report.couldNotRun)
    return `${SIGN.crit} ${what} of ${report.cluster}: could not run: ${report.couldNotRun}`;
  const counts = (['crit', 'warn'] as const)
    .map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => (s === 'crit' ? `${n} critical` : `${n} warning${n > 1 ? 's' : ''}`));
  const worst = report.findings.some((f) => f.severity === 'crit')
    ? 'crit'
    : report.findings.some((f) => f.severity === 'warn')
      ? 'warn'
      : 'ok';
  return `${SIGN[worst]} ${what} of ${report.cluster}: ${counts.length ? counts.join(', ') : okWord}`;
}
