/**
 * Incident threads from Alertmanager: the root (severity, alert name, key labels,
 * summary, description, links), edited when the group resolves or fires again, and
 * the replies for alerts joining or resolving. Every label and annotation is user
 * text from the monitoring system: escaped, and cut to Slack's limits.
 */
import { alertName, type Alert } from '../../domain/alert.js';
import type { IncidentView } from '../../domain/incident.js';
import type { Block, SlackMessage } from './blocks.js';
import { context, fieldSections, header, section, textMessage } from './build.js';
import { escapeMrkdwn } from './escape.js';
import { incidentState, openSummary, spanText } from './incident-state.js';
import { LIMITS, truncate } from './limits.js';
import { silenceBlocks } from './silence.js';

const KEY_LABELS = [
  'cluster',
  'namespace',
  'node',
  'instance',
  'job',
  'pod',
  'service',
  'severity',
];
const SEVERITY_SIGN: Record<string, string> = { critical: '✖', warning: '▲', info: 'ℹ' };

const esc = (s: string, max = 300) => escapeMrkdwn(truncate(s, max));

/** `<https://…|text>` for http(s) URLs only; anything else is shown as text. */
function link(url: string | undefined, text: string): string | undefined {
  if (!url || !/^https?:\/\/[^\s<>|]+$/.test(url)) return undefined;
  return `<${url}|${escapeMrkdwn(text)}>`;
}

export function incidentTitle(v: IncidentView): string {
  const first = v.alerts[0];
  const name = first ? alertName(first) : (v.commonLabels.alertname ?? 'alert');
  return v.alerts.length > 1 ? `${name} (${v.alerts.length} alerts)` : name;
}

export function incidentRootMessage(v: IncidentView, now: number): SlackMessage {
  const severity = v.commonLabels.severity ?? v.alerts[0]?.labels.severity ?? 'unknown';
  const { over, state, notes: runNotes } = incidentState(v, now);
  const sign = over ? '✔' : (SEVERITY_SIGN[severity] ?? '▲');
  const title = incidentTitle(v);
  const labels = KEY_LABELS.flatMap((k) => {
    const value = v.commonLabels[k] ?? (v.alerts.length === 1 ? v.alerts[0]?.labels[k] : undefined);
    return value ? [`*${k}*\n${esc(value, 150)}`] : [];
  });
  const annotations =
    v.alerts.length === 1 ? (v.alerts[0]?.annotations ?? {}) : v.commonAnnotations;
  const blocks: Block[] = [
    header(`${sign} ${truncate(title, 120)}`),
    section(`*${state}* · severity *${esc(severity, 40)}*`),
    ...fieldSections(labels),
  ];
  if (annotations.summary) blocks.push(section(`*Summary:* ${esc(annotations.summary, 1_000)}`));
  if (annotations.description)
    blocks.push(section(`*Description:* ${esc(annotations.description, 2_000)}`));
  if (v.alerts.length > 1) blocks.push(section(alertList(v.alerts)));
  const links = [
    link(v.alerts[0]?.generatorURL, 'Graph'),
    link(annotations.runbook_url ?? v.commonAnnotations.runbook_url, 'Runbook'),
    link(v.externalURL, 'Alertmanager'),
  ].filter(Boolean);
  const notes = [
    ...runNotes,
    links.join(' · '),
    v.truncatedAlerts > 0
      ? `${v.truncatedAlerts} more alerts were left out by Alertmanager (max_alerts)`
      : '',
    v.runbook
      ? `Runbook *${esc(v.runbook, 100)}* runs in the thread`
      : 'No built-in runbook matches this alert',
  ].filter(Boolean);
  blocks.push(context(...notes), ...silenceBlocks(v, now));
  return { text: escapeMrkdwn(`${sign} ${state}: ${truncate(title, 200)}`), blocks };
}

/** One line per alert: its name and its distinguishing labels. */
export function alertList(alerts: readonly Alert[], max = 20): string {
  const lines = alerts.slice(0, max).map((a) => {
    const keys = KEY_LABELS.filter((k) => k !== 'severity' && a.labels[k]);
    const where = keys.map((k) => `${k}=${esc(a.labels[k] as string, 80)}`).join(' ');
    return `• ${esc(alertName(a), 100)}${where ? ` (${where})` : ''}`;
  });
  if (alerts.length > max) lines.push(`• … and ${alerts.length - max} more`);
  return truncate(lines.join('\n'), LIMITS.sectionText);
}

export function alertsChangedMessage(
  joined: Alert[],
  resolved: Alert[],
  truncatedAlerts: number,
): SlackMessage {
  const parts: string[] = [];
  if (joined.length)
    parts.push(
      `*${joined.length} alert${joined.length === 1 ? '' : 's'} joined:*\n${alertList(joined)}`,
    );
  if (resolved.length)
    parts.push(
      `*${resolved.length} alert${resolved.length === 1 ? '' : 's'} resolved:*\n${alertList(resolved)}`,
    );
  if (truncatedAlerts > 0)
    parts.push(`_${truncatedAlerts} more alerts were left out by Alertmanager._`);
  const text = parts.join('\n');
  return { text: truncate(text, 3_000), blocks: [section(text)] };
}

export function incidentResolvedMessage(v: IncidentView, now: number): SlackMessage {
  const cleared = `every alert of this group has cleared, after ${spanText(v, v.resolvedAt ?? now)}`;
  const open = v.run?.open ?? [];
  if (open.length)
    return textMessage(
      `▲ The alert resolved — ${cleared} — but the incident is not over: ${openSummary(open)}. The steps stay live in this thread.`,
    );
  return textMessage(`✔ Resolved: ${cleared}.`);
}

export function incidentReopenedMessage(v: IncidentView): SlackMessage {
  const text = `▲ Firing again — the same group, so this thread carries on (reopened ${v.reopened ?? 1}×).\n${alertList(v.alerts)}`;
  return { text: truncate(text, 3_000), blocks: [section(text)] };
}
