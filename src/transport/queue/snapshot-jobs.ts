/** The parts of the snapshot jobs that are more than one call: pruning after a snapshot, listing. */
import { formatBytes } from '../../domain/units.js';
import type { Report } from '../../domain/report.js';
import type { RetentionPolicy, SnapshotEntry } from '../../domain/snapshot.js';
import { selectRetention } from '../../operations/etcd/retention.js';
import { listSnapshots, removeSnapshot } from '../../operations/etcd/snapshot-store.js';

/** Applies the retention policy after a saved snapshot and says what it removed. */
export async function pruneSnapshots<R extends Report>(
  report: R,
  dir: string,
  policy: RetentionPolicy,
): Promise<R> {
  const entries = await listSnapshots(dir, report.cluster);
  const decision = selectRetention(entries, policy, new Date());
  for (const entry of decision.remove) await removeSnapshot(entry);
  return {
    ...report,
    findings: [
      ...report.findings,
      {
        id: 'etcd.snapshot.retention',
        severity: 'info',
        title: `Keeping ${decision.keep.length} snapshot(s); removed ${decision.remove.length} by the retention policy`,
        detail: decision.remove.length
          ? `Removed: ${decision.remove.map((e) => e.id).join(', ')}`
          : undefined,
      },
    ],
  };
}

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
