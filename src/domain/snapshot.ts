/** Snapshots as stored, listed, verified and pruned; maintenance results. */
import type { MemberInfo } from './etcd.js';

/** The metadata sidecar written next to every snapshot (`<file>.json`). */
export interface SnapshotMeta {
  format: 1;
  id: string;
  file: string;
  cluster: string;
  member: { id: string; name: string; endpoint: string };
  etcdVersion: string;
  revision: number;
  /** Bytes of the stored file (compressed when `compressed`). */
  size: number;
  /** Bytes of the snapshot stream itself (the bbolt file and its 32-byte hash). */
  streamSize: number;
  /** SHA-256 of the stored file, hex. */
  sha256: string;
  compressed: boolean;
  /** The stream's trailing SHA-256 matched its content. */
  verified: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  requestedBy: string;
  /** The member list when the snapshot was taken: the restore plan works without a live cluster. */
  members: MemberInfo[];
  /** Keys counted just before streaming, for drills to compare (absent: older snapshots). */
  counts?: SnapshotCounts;
}

/**
 * The keys of the cluster at `revision`, counted by a full scan just before the snapshot
 * streamed: in total, and per Kubernetes resource prefix (`/registry/pods/`,
 * `/registry/cert-manager.io/certificates/` …). A drill counts the restored copy again.
 */
export interface SnapshotCounts {
  revision: number;
  prefixes: Record<string, number>;
  total: number;
}

export interface SnapshotEntry {
  id: string;
  path: string;
  cluster: string;
  createdAt: string;
  revision?: number;
  size: number;
  /** Metadata present, the stream hash checked at save time, and the file still the size it was. */
  verified: boolean;
  /** Why not verified, when it is not. */
  problem?: string;
  meta?: SnapshotMeta;
}

export interface RetentionPolicy {
  keepLast: number;
  hourly: number;
  daily: number;
  weekly: number;
}

export interface RetentionDecision {
  keep: { entry: SnapshotEntry; reasons: string[] }[];
  remove: SnapshotEntry[];
}

export interface Progress {
  /** What is going on, e.g. `streaming from m2` or `defragmenting m1 (2 of 3)`. */
  step: string;
  done?: number;
  total?: number;
}
export type ProgressFn = (p: Progress) => void;

export interface DefragMemberResult {
  name: string;
  endpoint: string;
  isLeader: boolean;
  before?: number;
  after?: number;
  durationMs?: number;
  error?: string;
  skipped?: boolean;
}
