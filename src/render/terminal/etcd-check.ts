/** `etcd check` for the terminal: verdict, members table, findings, remedies. */
import { formatBytes } from '../../domain/units.js';
import { memberOfProbe, type EtcdCheckReport } from '../../domain/etcd.js';
import { findingsText, headline, table } from './text.js';

export function renderEtcdCheckText(report: EtcdCheckReport): string {
  const { probes, view } = report.data;
  const leaders = new Set(probes.map((p) => p.status?.leader));
  const rows = probes.map((p) => {
    const s = p.status;
    const member = memberOfProbe(view, p);
    const health = !s ? 'unreachable' : p.healthy ? 'healthy' : 'UNHEALTHY';
    return [
      member?.name || '?',
      p.endpoint,
      s
        ? `${health}${leaders.has(s.memberId) ? ' (leader)' : ''}${s.isLearner ? ' (learner)' : ''}`
        : health,
      s?.version ?? '-',
      s ? formatBytes(s.dbSize) : '-',
      s ? formatBytes(s.dbSizeInUse) : '-',
      s ? String(s.raftTerm) : '-',
      s ? `${s.raftIndex}/${s.raftAppliedIndex}` : '-',
      p.healthy && p.healthMs !== undefined ? `${p.healthMs} ms` : '-',
      s ? '' : (p.statusError ?? ''),
    ];
  });
  const members = table(
    [
      'MEMBER',
      'ENDPOINT',
      'HEALTH',
      'VERSION',
      'DB SIZE',
      'IN USE',
      'TERM',
      'INDEX/APPLIED',
      'READ',
      'ERROR',
    ],
    rows,
  );
  return [
    headline(report, 'etcd check', 'healthy'),
    '',
    members,
    '',
    findingsText(report.findings),
    '',
  ].join('\n');
}
