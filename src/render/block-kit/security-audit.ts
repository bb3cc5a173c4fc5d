/**
 * `/security-audit` for Slack: the verdict, a numbered "fix first" list, one line each on
 * Secrets at rest and on how etcd answered a client without a certificate, then the
 * findings (already in fix-first order) with their remedies. Counts and names only: the
 * report holds no Secret value.
 */
import {
  PROVIDER_LABEL,
  SECRET_PROVIDERS,
  type SecurityAuditReport,
} from '../../domain/security.js';
import type { Block, SlackMessage } from './blocks.js';
import { context, section } from './build.js';
import { escapeMrkdwn } from './escape.js';
import { truncate } from './limits.js';
import { genericReportMessage, reportMessage } from './report-message.js';

const FIX_FIRST_SHOWN = 5;
const STRANGER: Record<string, string> = {
  refused: 'refused',
  'auth-required': 'connects, needs a user',
  open: 'OPEN, reads everything',
  unknown: 'no answer',
};
const num = (n: number) => n.toLocaleString('en-US');

function fixFirstBlock(report: SecurityAuditReport): Block[] {
  const loud = report.findings.filter((f) => f.severity === 'crit' || f.severity === 'warn');
  if (!loud.length) return [];
  const lines = loud
    .slice(0, FIX_FIRST_SHOWN)
    .map((f, i) => `${i + 1}. ${escapeMrkdwn(truncate(f.title, 280))}`);
  if (loud.length > FIX_FIRST_SHOWN)
    lines.push(`_… and ${loud.length - FIX_FIRST_SHOWN} more below_`);
  return [section(`*Fix first*\n${lines.join('\n')}`)];
}

function summaryLines(report: SecurityAuditReport): string[] {
  const { encryption: c, etcd } = report.data;
  const lines: string[] = [];
  if (c) {
    const providers = SECRET_PROVIDERS.filter((p) => c.byProvider[p] > 0)
      .map((p) => `${PROVIDER_LABEL[p]} ${num(c.byProvider[p])}`)
      .join(' · ');
    lines.push(
      `*Secrets at rest:* ${num(c.total)} in etcd${providers ? ` — ${escapeMrkdwn(providers)}` : ''}`,
    );
  }
  if (etcd.endpoints.length) {
    const counts = new Map<string, number>();
    for (const e of etcd.endpoints) counts.set(e.anonymous, (counts.get(e.anonymous) ?? 0) + 1);
    const text = [...counts.entries()]
      .map(([k, n]) => `${STRANGER[k] ?? k} (${n} of ${etcd.endpoints.length})`)
      .join(' · ');
    lines.push(`*etcd, a client without a certificate:* ${escapeMrkdwn(text)}`);
  }
  return lines;
}

export function securityAuditMessage(report: SecurityAuditReport): SlackMessage {
  if (report.couldNotRun) return genericReportMessage(report);
  const summary = summaryLines(report);
  const cluster = escapeMrkdwn(report.cluster);
  return reportMessage(report, {
    body: [...fixFirstBlock(report), ...(summary.length ? [context(...summary)] : [])],
    okWord: 'nothing to fix',
    hint: `Run \`quorum security audit --cluster ${cluster}\` for the full report.`,
  });
}
