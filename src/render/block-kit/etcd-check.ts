/** `/etcd-check` for Slack: verdict, one field per member, findings by severity. */
import { formatBytes, formatDuration } from '../../domain/units.js';
import { memberOfProbe, type EtcdCheckReport, type MemberProbe } from '../../domain/etcd.js';
import type { Block, SlackMessage } from './blocks.js';
import { context, fieldSections } from './build.js';
import { escapeMrkdwn, inlineCode } from './escape.js';
import { truncate } from './limits.js';
import { reportMessage } from './report-message.js';
import { SIGN } from './verdict.js';

function memberField(report: EtcdCheckReport, probe: MemberProbe, leaders: Set<string>): string {
  const s = probe.status;
  const name = memberOfProbe(report.data.view, probe)?.name || '?';
  const roles = [
    s && leaders.has(s.memberId) ? 'leader' : '',
    s?.isLearner ? 'learner' : '',
  ].filter(Boolean);
  const lines = [
    `*${escapeMrkdwn(name)}*${roles.length ? ` · ${roles.join(', ')}` : ''}`,
    inlineCode(probe.endpoint),
  ];
  if (!s) {
    const why = probe.statusError ?? probe.healthError ?? 'no answer';
    lines.push(`${SIGN.crit} unreachable: ${escapeMrkdwn(truncate(why, 300))}`);
    return lines.join('\n');
  }
  const health = probe.healthy
    ? `${SIGN.ok} healthy${probe.healthMs !== undefined ? ` · read ${probe.healthMs} ms` : ''}`
    : `${SIGN.warn} unhealthy: ${escapeMrkdwn(truncate(probe.healthError ?? '?', 300))}`;
  lines.push(
    `${health} · v${escapeMrkdwn(s.version)}`,
    `DB ${formatBytes(s.dbSize)} (${formatBytes(s.dbSizeInUse)} in use) · term ${s.raftTerm} · index ${s.raftIndex}/${s.raftAppliedIndex}`,
  );
  return lines.join('\n');
}

function membersBlocks(report: EtcdCheckReport): Block[] {
  const { probes, quota, hashRevision, timeoutMs } = report.data;
  const leaders = new Set(probes.flatMap((p) => (p.status ? [p.status.leader] : [])));
  const healthy = probes.filter((p) => p.healthy).length;
  const sections = fieldSections(
    probes.map((p) => memberField(report, p, leaders)),
    `*Members* (${healthy} of ${probes.length} healthy)`,
  );
  const facts = [
    `quota ${formatBytes(quota.bytes)} (from ${quota.source})`,
    hashRevision !== undefined ? `HashKV compared at revision ${hashRevision}` : '',
    `timeout ${formatDuration(timeoutMs)}`,
  ].filter(Boolean);
  return [...sections, context(facts.join(' · '))];
}

export function etcdCheckMessage(report: EtcdCheckReport): SlackMessage {
  return reportMessage(report, {
    body: report.data.probes.length ? membersBlocks(report) : [],
    okWord: 'healthy',
    hint: `Run \`quorum etcd check --cluster ${escapeMrkdwn(report.cluster)}\` for the full report.`,
  });
}
