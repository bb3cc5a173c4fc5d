/** The kept snapshots as a report (`/etcd-snapshot list`): one finding per snapshot. */
import { formatBytes } from '../../domain/units.js';
import type { Report } from '../../domain/report.js';
import type { SnapshotEntry } from '../../domain/snapshot.js';

export type SnapshotListReport = Report<{ snapshots: Omit<SnapshotEntry, 'meta'>[] }>;

/** The kept snapshots as a report: one finding per snapshot, newest first. */
export function snapshotListReport(cluster: string, entries: SnapshotEntry[]): SnapshotListReport {
  const now = new Date().toISOString();
  return {
    kind: 'etcd.snapshot.list',
    cluster,
    startedAt: now,
    finishedAt: now,
    findings: entries.length
      ? entries.map((e) => ({
          id: 'etcd.snapshot.kept',
          severity: e.verified ? ('ok' as const) : ('warn' as const),
          title: `${e.id}: ${formatBytes(e.size)}, revision ${e.revision ?? '?'}${e.verified ? ', verified' : ''}`,
          detail: e.problem,
        }))
      : [
          {
            id: 'etcd.snapshot.none',
            severity: 'warn',
            title: 'No snapshots kept',
            remedy: 'Take one now (/etcd-snapshot) and schedule them (schedules in the config).',
          },
        ],
    data: { snapshots: entries.map(({ meta: _meta, ...e }) => e) },
  };
}
