/**
 * `security audit` for the terminal: what changed since the last audit (with `--since`, the
 * first line), the verdict, what to fix first, Secrets at rest by
 * provider and namespace, how each etcd endpoint answered a stranger, then every finding
 * with its remedy (in fix-first order). Counts only: the report holds no Secret value.
 */
import type { Finding } from '../../domain/report.js';
import {
  progressLine,
  type AuditProgress,
  type KeptFinding,
} from '../../domain/security-progress.js';
import {
  PROVIDER_LABEL,
  SECRET_PROVIDERS,
  type EtcdEndpointAccess,
  type SecretsCensus,
  type SecurityAuditReport,
} from '../../domain/security.js';
import { findingsText, headline, table } from './text.js';

const NAMESPACES_SHOWN = 15;
const FIX_FIRST_SHOWN = 5;
const CHANGES_SHOWN = 10;
const num = (n: number) => n.toLocaleString('en-US');

function fixFirstLines(findings: readonly Finding[], max = FIX_FIRST_SHOWN): string[] {
  const loud = findings.filter((f) => f.severity === 'crit' || f.severity === 'warn');
  const lines = loud.slice(0, max).map((f, i) => `${i + 1}. ${f.title}`);
  if (loud.length > max) lines.push(`… and ${loud.length - max} more below`);
  return lines;
}

function censusText(c: SecretsCensus): string {
  const at = c.revision !== undefined ? ` at revision ${c.revision}` : '';
  const providers = SECRET_PROVIDERS.filter((p) => c.byProvider[p] > 0).map((p) => [
    PROVIDER_LABEL[p],
    num(c.byProvider[p]),
  ]);
  const rows = c.byNamespace.slice(0, NAMESPACES_SHOWN).map((ns) => [
    ns.namespace,
    num(ns.total),
    num(ns.byProvider.identity ?? 0),
    SECRET_PROVIDERS.filter((p) => p !== 'identity' && (ns.byProvider[p] ?? 0) > 0)
      .map((p) => `${PROVIDER_LABEL[p]} ${num(ns.byProvider[p] ?? 0)}`)
      .join(', '),
  ]);
  const more = c.byNamespace.length - rows.length;
  return [
    `SECRETS AT REST: ${num(c.total)} under ${c.prefix}${at}, read from ${c.endpoint}`,
    ...(providers.length ? [table(['PROVIDER', 'SECRETS'], providers)] : []),
    ...(rows.length ? ['', table(['NAMESPACE', 'SECRETS', 'UNENCRYPTED', 'OTHERS'], rows)] : []),
    ...(more > 0 ? [`… and ${more} more namespaces (--json lists all)`] : []),
  ].join('\n');
}

const STRANGER: Record<EtcdEndpointAccess['anonymous'], string> = {
  refused: 'refused',
  'auth-required': 'connects; needs a user',
  open: 'OPEN: reads everything',
  unknown: 'unknown',
};

function endpointsText(endpoints: EtcdEndpointAccess[]): string {
  const rows = endpoints.map((e) => [
    e.endpoint,
    STRANGER[e.anonymous],
    e.certificate
      ? `until ${e.certificate.notAfter.slice(0, 10)}${e.certificate.nameMatches ? '' : ' (wrong name)'}`
      : e.endpoint.startsWith('https:')
        ? 'unread'
        : 'none (http)',
    e.metrics ? (e.metrics.open ? `readable: ${e.metrics.url}` : 'refused') : '-',
  ]);
  return [
    'ETCD ENDPOINTS',
    table(
      [
        'ENDPOINT',
        'CLIENT WITHOUT CERTIFICATE',
        'SERVER CERTIFICATE',
        'METRICS WITHOUT CREDENTIALS',
      ],
      rows,
    ),
  ].join('\n');
}

function changeLines(word: string, findings: readonly KeptFinding[]): string[] {
  const label = `${word}:`.padEnd(11);
  const lines = findings.slice(0, CHANGES_SHOWN).map((f) => `  ${label}${f.title}`);
  if (findings.length > CHANGES_SHOWN)
    lines.push(`  … and ${findings.length - CHANGES_SHOWN} more ${word}`);
  return lines;
}

/** The progress line, then one line per finding fixed, new, or not checked this time. */
function progressLines(p: AuditProgress): string[] {
  return [
    progressLine(p),
    ...changeLines('fixed', p.fixed),
    ...changeLines('new', p.opened),
    ...changeLines('unchecked', p.unchecked),
    '',
  ];
}

export function renderSecurityAuditText(report: SecurityAuditReport): string {
  const d = report.data;
  const fix = report.couldNotRun ? [] : fixFirstLines(report.findings);
  const parts = [
    ...(d.progress && !report.couldNotRun ? progressLines(d.progress) : []),
    headline(report, 'security audit'),
    ...(fix.length ? ['', 'FIX FIRST', ...fix] : []),
    ...(d.encryption ? ['', censusText(d.encryption)] : []),
    ...(d.etcd.endpoints.length ? ['', endpointsText(d.etcd.endpoints)] : []),
    '',
    findingsText(report.findings),
    '',
  ];
  return parts.join('\n');
}
