/** A restore drill for the terminal: the verdict, the phases with their times, the counts compared. */
import { DRILL_PHASES, type DrillReport } from '../../domain/drill.js';
import { formatBytes, formatDuration } from '../../domain/units.js';
import { renderReportText } from './report.js';
import { table } from './text.js';

function phasesTable(report: DrillReport): string {
  const { phases, totalMs } = report.data;
  const rows = DRILL_PHASES.filter((p) => phases[p] !== undefined).map((p) => [
    p,
    formatDuration(phases[p] as number),
  ]);
  return rows.length ? table(['PHASE', 'TIME'], [...rows, ['total', formatDuration(totalMs)]]) : '';
}

function countsTable(report: DrillReport): string {
  const c = report.data.counts;
  if (!c) return '';
  const mark = (a: number, b: number) => (a === b ? '' : '✖');
  const rows = [
    [
      '(all keys)',
      String(c.recordedTotal),
      String(c.restoredTotal),
      mark(c.recordedTotal, c.restoredTotal),
    ],
    ...c.prefixes.map((p) => [
      p.prefix,
      String(p.recorded),
      String(p.restored),
      mark(p.recorded, p.restored),
    ]),
  ];
  return `Keys at revision ${c.revision}:\n${table(['PREFIX', 'RECORDED', 'RESTORED', ''], rows)}`;
}

export function renderDrillText(report: DrillReport): string {
  const { snapshot, tools, status } = report.data;
  const lines = [
    `Snapshot ${snapshot.id} (${formatBytes(snapshot.size)}${snapshot.compressed ? ' gzip' : ''}, etcd ${snapshot.etcdVersion ?? 'version unknown'}) from ${snapshot.path}`,
    ...(tools
      ? [
          `Restored with ${tools.restore} ${tools.restoreVersion}, served by ${tools.etcd} ${tools.etcdVersion}`,
        ]
      : []),
    ...(status
      ? [
          `File: revision ${status.revision}, ${status.totalKey} bbolt keys (every revision and bucket), hash ${status.hash}`,
        ]
      : []),
  ];
  const body = [lines.join('\n'), phasesTable(report), countsTable(report)]
    .filter(Boolean)
    .join('\n\n');
  return renderReportText(report, 'etcd drill', body);
}
