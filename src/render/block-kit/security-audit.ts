/**
 * `/security-audit` for Slack: what changed since the last audit (first, after the header,
 * and in the notification text: a scheduled audit's message in its channel says it), the verdict, a numbered "fix first" list, one line each on
 * Secrets at rest and on how etcd answered a client without a certificate, then the
 * findings (already in fix-first order) with their remedies. Counts and names only: the
 * report holds no Secret value.
 */
import {
  progressLine,
  type AuditProgress,
  type KeptFinding,
} from '../../domain/security-progress.js';
import {
  PROVIDER_LABEL,
  SECRET_PROVIDERS,
  type SecurityAuditReport,
} from '../../domain/security.js';
import type { Block, SlackMessage } from './blocks.js';
import { context, section } from './build.js';
import { escapeMrkdwn } from './escape.js';
import { LIMITS, truncate } from './limits.js';
import { genericReportMessage, reportMessage } from './report-message.js';

const FIX_FIRST_SHOWN = 5;
const CHANGES_SHOWN = 5;
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

function changeLines(label: string, findings: readonly KeptFinding[]): string[] {
  if (!findings.length) return [];
  const lines = findings
    .slice(0, CHANGES_SHOWN)
    .map((f) => `• ${escapeMrkdwn(truncate(f.title, 150))}`);
  if (findings.length > CHANGES_SHOWN)
    lines.push(`_… and ${findings.length - CHANGES_SHOWN} more_`);
  return [`*${label}*`, ...lines];
}

/** The progress line, then what was fixed, what is new and what could not be checked. */
function progressBlock(p: AuditProgress): Block {
  return section(
    [
      `*${escapeMrkdwn(progressLine(p))}*`,
      ...changeLines('Fixed', p.fixed),
      ...changeLines('New', p.opened),
      ...changeLines('Open last time, not checked this time', p.unchecked),
    ].join('\n'),
  );
}

/** `lead` moved to just after the header, and its line at the end of the notification text. */
function ledBy(message: SlackMessage, lead: Block, line: string): SlackMessage {
  const rest = message.blocks.filter((b) => b !== lead);
  return {
    text: truncate(`${message.text} — ${escapeMrkdwn(line)}`, LIMITS.fallbackText),
    blocks: [...rest.slice(0, 1), lead, ...rest.slice(1)],
  };
}

export function securityAuditMessage(report: SecurityAuditReport): SlackMessage {
  if (report.couldNotRun) return genericReportMessage(report);
  const summary = summaryLines(report);
  const cluster = escapeMrkdwn(report.cluster);
  const progress = report.data.progress;
  // In the body, so the block budget counts it; then moved up to lead the message.
  const lead = progress ? progressBlock(progress) : undefined;
  const message = reportMessage(report, {
    body: [
      ...(lead ? [lead] : []),
      ...fixFirstBlock(report),
      ...(summary.length ? [context(...summary)] : []),
    ],
    okWord: 'nothing to fix',
    hint: `Run \`quorum security audit --cluster ${cluster}\` for the full report.`,
  });
  return lead && progress ? ledBy(message, lead, progressLine(progress)) : message;
}
