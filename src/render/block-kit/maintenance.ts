/** Maintenance results for Slack: defragmentation, compaction, alarms and their disarming. */
import { formatBytes, formatDuration } from '../../domain/units.js';
import type { AlarmInfo } from '../../domain/etcd.js';
import type { Report } from '../../domain/report.js';
import type { DefragMemberResult } from '../../domain/snapshot.js';
import type { SlackMessage } from './blocks.js';
import { fieldSections } from './build.js';
import { escapeMrkdwn, inlineCode } from './escape.js';
import { truncate } from './limits.js';
import { reportMessage } from './report-message.js';
import { SIGN } from './verdict.js';

/** What operations/etcd/defrag.ts returns (DefragReport). */
export type DefragResultReport = Report<{ members: DefragMemberResult[] }>;
export type CompactResultReport = Report<{ revision: number }>;
export type AlarmsReport = Report<{ alarms: AlarmInfo[] }>;
export type AlarmDisarmReport = Report<{ disarmed: AlarmInfo[]; remaining: AlarmInfo[] }>;

function defragField(m: DefragMemberResult, i: number): string {
  const head = `*${i + 1}. ${escapeMrkdwn(m.name)}* · ${m.isLeader ? 'leader' : 'follower'}`;
  if (m.skipped) return `${head}\n${SIGN.info} skipped`;
  const sizes =
    m.before !== undefined && m.after !== undefined
      ? `${formatBytes(m.before)} → ${formatBytes(m.after)}, reclaimed ${formatBytes(m.before - m.after)}`
      : m.before !== undefined
        ? `${formatBytes(m.before)} before`
        : '';
  const took = m.durationMs !== undefined ? ` in ${formatDuration(m.durationMs)}` : '';
  const result = m.error
    ? `${SIGN.crit} ${escapeMrkdwn(truncate(m.error, 500))}`
    : `${SIGN.ok} done${took}`;
  return [head, sizes, result].filter(Boolean).join('\n');
}

export function defragMessage(report: DefragResultReport): SlackMessage {
  const sections = fieldSections(
    report.data.members.map(defragField),
    '*Members*, in the order they were defragmented (leader last)',
  );
  return reportMessage(report, { body: sections, okWord: 'done' });
}

export function compactMessage(report: CompactResultReport): SlackMessage {
  return reportMessage(report, { okWord: `compacted to revision ${report.data.revision}` });
}

const alarmField = (a: AlarmInfo, sign: string) =>
  `*${escapeMrkdwn(a.alarm)}*\n${sign} member ${inlineCode(a.memberId)}`;

export function alarmsMessage(report: AlarmsReport): SlackMessage {
  return reportMessage(report, {
    body: fieldSections(report.data.alarms.map((a) => alarmField(a, SIGN.crit))),
    okWord: 'no alarms',
  });
}

export function alarmDisarmMessage(report: AlarmDisarmReport): SlackMessage {
  const { disarmed, remaining } = report.data;
  return reportMessage(report, {
    body: fieldSections([
      ...disarmed.map((a) => alarmField(a, `${SIGN.ok} disarmed on`)),
      ...remaining.map((a) => alarmField(a, `${SIGN.crit} still raised on`)),
    ]),
    okWord: disarmed.length ? 'disarmed' : 'no alarms to disarm',
  });
}
