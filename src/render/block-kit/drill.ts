/** A restore drill for Slack: what was restored, the time to restore by phase, then the findings. */
import { DRILL_PHASES, type DrillReport } from '../../domain/drill.js';
import { formatBytes, formatDuration } from '../../domain/units.js';
import type { Block, SlackMessage } from './blocks.js';
import { context, fieldSections } from './build.js';
import { escapeMrkdwn, inlineCode } from './escape.js';
import { reportMessage } from './report-message.js';
import { SIGN } from './verdict.js';

const code = inlineCode;
const field = (label: string, value: string) => `*${label}*\n${value}`;

function countsField(report: DrillReport): string {
  const c = report.data.counts;
  if (!c) return report.data.restoredRevision === undefined ? '—' : `${SIGN.warn} none recorded`;
  const differ = c.prefixes.filter((p) => p.recorded !== p.restored).length;
  const same = differ === 0 && c.recordedTotal === c.restoredTotal;
  return same
    ? `${SIGN.ok} ${c.restoredTotal} keys, ${c.prefixes.length} prefixes match`
    : `${SIGN.crit} ${differ} prefix${differ === 1 ? '' : 'es'} differ (${c.recordedTotal} → ${c.restoredTotal} keys)`;
}

export function drillMessage(report: DrillReport): SlackMessage {
  const { snapshot, tools, phases, totalMs, restoredRevision } = report.data;
  const fields = [
    field('Snapshot', code(snapshot.id)),
    field(
      'Size',
      `${formatBytes(snapshot.size)}${snapshot.compressed ? ' gzip' : ''} · etcd ${escapeMrkdwn(snapshot.etcdVersion ?? '?')}`,
    ),
    field('Revision', restoredRevision === undefined ? '—' : String(restoredRevision)),
    field('Keys', countsField(report)),
    ...(phases.start !== undefined ? [field('Time to restore', formatDuration(totalMs))] : []),
  ];
  const times = DRILL_PHASES.filter((p) => phases[p] !== undefined)
    .map((p) => `${p} ${formatDuration(phases[p] as number)}`)
    .join(' · ');
  const notes = [
    times,
    tools
      ? `etcd ${escapeMrkdwn(tools.etcdVersion)}, ${escapeMrkdwn(tools.restore.split('/').pop() ?? '')} ${escapeMrkdwn(tools.restoreVersion)}`
      : '',
  ].filter(Boolean);
  const body: Block[] = [
    ...fieldSections(fields),
    ...(notes.length ? [context(notes.join(' · '))] : []),
  ];
  return reportMessage(report, { body, okWord: 'restores' });
}
