/**
 * The worker's etcd check, with one finding more: the age of the newest drilled snapshot
 * beside the newest snapshot (operations/etcd/drill-age.ts), read from the snapshot store
 * and the drill records. A store or records that cannot be read leave the check as it is.
 */
import type { DrillRecords } from '../../domain/drill.js';
import type { Report } from '../../domain/report.js';
import type { SnapshotEntry } from '../../domain/snapshot.js';
import { drillAgeFindings } from '../../operations/etcd/drill-age.js';

export interface DrillAgeSources {
  cluster: string;
  /** The cluster's kept snapshots, newest first. */
  list(): Promise<SnapshotEntry[]>;
  drills?: DrillRecords;
  now?: Date;
}

export async function withDrillAges<R extends Report>(report: R, s: DrillAgeSources): Promise<R> {
  if (!s.drills || report.couldNotRun) return report;
  try {
    const [entries, drills] = await Promise.all([s.list(), s.drills.history(s.cluster)]);
    const newest = entries.find((e) => e.verified);
    const findings = drillAgeFindings({
      id: 'etcd.snapshot.drill',
      cluster: s.cluster,
      now: s.now ?? new Date(),
      newest: newest && { id: newest.id, createdAt: newest.createdAt },
      drills,
    });
    return { ...report, findings: [...report.findings, ...findings] };
  } catch {
    return report;
  }
}
