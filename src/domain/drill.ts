/**
 * Restore drills: a snapshot fetched from its store, restored into a scratch etcd that can
 * reach nothing, started, and counted against the counts recorded when it was taken. The
 * report's data, and the record kept of each cluster's last drill.
 */
import type { Report, Severity } from './report.js';

/** The phases of a drill, in order: their times are this cluster's time to restore. */
export const DRILL_PHASES = ['download', 'restore', 'start', 'scan'] as const;
export type DrillPhase = (typeof DRILL_PHASES)[number];

/** How far the drill got: what it proved about the snapshot. */
export type DrillProof = 'restore-and-counts' | 'restore' | 'nothing';

export interface DrillPrefixCount {
  prefix: string;
  recorded: number;
  restored: number;
}

export interface DrillData {
  snapshot: {
    id: string;
    /** Where it is stored (today a file in the snapshot directory). */
    path: string;
    size: number;
    compressed: boolean;
    createdAt: string;
    etcdVersion?: string;
  };
  /** The binaries used, with the versions they report. */
  tools?: { etcd: string; etcdVersion: string; restore: string; restoreVersion: string };
  /** Milliseconds per phase that ran. */
  phases: Partial<Record<DrillPhase, number>>;
  totalMs: number;
  /** `snapshot status` of the fetched file: bbolt's view (totalKey counts every revision and bucket). */
  status?: { revision: number; totalKey: number; totalSize: number; hash: number };
  /** The scratch etcd's revision once it served a linearizable read. */
  restoredRevision?: number;
  /** Recorded counts against the restored ones, at the recorded revision. */
  counts?: {
    revision: number;
    recordedTotal: number;
    restoredTotal: number;
    /** Bytes of every value read once by the scan (each key and value came back whole). */
    valueBytes: number;
    prefixes: DrillPrefixCount[];
  };
  /** Left by killed drills and removed by this one: directories, and scratch etcd pids killed. */
  cleanedUp: { dirs: string[]; killed: number[] };
  proved: DrillProof;
}

export type DrillReport = Report<DrillData>;

/** One drill, as kept per cluster (Redis for workers, `<snapshot>.drill.json` for the CLI). */
export interface DrillRecord {
  cluster: string;
  snapshotId: string;
  /** The snapshot's file name in its store. */
  snapshotFile: string;
  snapshotCreatedAt: string;
  drilledAt: string;
  /** The restore was proven and nothing critical was found. */
  ok: boolean;
  proved: DrillProof;
  severity: Severity;
  phases: Partial<Record<DrillPhase, number>>;
  totalMs: number;
  /** Bytes of the stored snapshot. */
  size: number;
  /** The worst finding's title: what to say about this drill in one line. */
  summary: string;
}

export interface DrillHistory {
  last?: DrillRecord;
  lastSuccess?: DrillRecord;
}

/** Where drill results are kept; read by the etcd check and the upgrade precheck. */
export interface DrillRecords {
  record(record: DrillRecord): Promise<void>;
  history(cluster: string): Promise<DrillHistory>;
}
