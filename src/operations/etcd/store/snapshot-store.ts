/**
 * Where snapshots are kept, as the operations need it: a local directory
 * (dir-snapshot-store.ts) or S3-compatible object storage (clients/s3-snapshot-store.ts).
 *
 * The contract every store keeps: nothing half-written ever looks valid. A snapshot
 * counts only once its metadata exists, and the metadata is written last, after the
 * stored bytes were made durable and read back. A sink that is aborted, or a process
 * killed while writing, leaves at most a leftover that `prepare()` cleans up (a temp
 * file, an unfinished multipart upload) and that no listing shows.
 */
import type { Readable, Writable } from 'node:stream';
import type { S3StoreSettings, SnapshotLocation } from '../../../domain/snapshot-location.js';
import type { SnapshotEntry, SnapshotMeta } from '../../../domain/snapshot.js';

/** What `prepare()` cleaned up, and what it could not do (said, never claimed). */
export interface StoreCleanup {
  /** Leftovers of interrupted snapshots removed (temp files, aborted uploads). */
  cleaned: string[];
  /** Facts for the operator, e.g. that the server cannot list unfinished uploads. */
  notes: string[];
}

/** How a sink ended when it was aborted: what was cleaned up, or why it could not be. */
export interface AbortOutcome {
  cleaned: string[];
  /** Set when a leftover may remain: what it is and what removes it. */
  leftover?: string;
}

/** The result of `commit`: where the snapshot is, or why it was not kept. */
export type CommitOutcome =
  | { ok: true; location: string }
  /** The stored bytes did not read back as sent: they were deleted. */
  | { ok: false; problem: string };

/** One snapshot being written. */
export interface SnapshotSink {
  /** Where the stored bytes (gzip or not) are written. It does not end the store's copy: commit does. */
  readonly stream: Writable;
  /** How long the stream may wait on the store before the writer calls it stalled (ms). */
  readonly stallMs: number;
  /** Told when the store makes progress of its own (a part uploaded), so a wait is not a stall. */
  onActivity(listener: () => void): void;
  /**
   * After `stream` finished: make the bytes durable, read them back and compare their
   * size and SHA-256 with `meta.size`/`meta.sha256`, then write `meta` — last.
   */
  commit(meta: SnapshotMeta): Promise<CommitOutcome>;
  /** Discards what was written; never throws. */
  abort(): Promise<AbortOutcome>;
}

export interface SnapshotStore {
  /** Printable: an absolute directory, or `s3://bucket/prefix`. */
  readonly location: string;
  /**
   * Reaches the store (throws a QuorumError naming what to fix when it cannot) and
   * removes leftovers of interrupted snapshots; with `dryRun`, only names them.
   */
  prepare(opts?: { dryRun?: boolean }): Promise<StoreCleanup>;
  /** A sink for the snapshot named `file` (snapshot-names.ts). */
  create(file: string): Promise<SnapshotSink>;
  /** Kept snapshots of `cluster` (every cluster when undefined), newest first. */
  list(cluster?: string): Promise<SnapshotEntry[]>;
  /** By id, file name, or location (a path, or an `s3://` URL in this store); SNAPSHOT_NOT_FOUND. */
  find(ref: string): Promise<SnapshotEntry>;
  /** The stored bytes, as kept (gzip when compressed). */
  open(entry: SnapshotEntry): Promise<Readable>;
  remove(entry: SnapshotEntry): Promise<void>;
  /**
   * The command (argv) that copies the snapshot to `dest` on an operator's machine, for
   * a restore plan; absent when the store is a local directory.
   */
  downloadCommand?(entry: SnapshotEntry, dest: string): string[];
}

/** A failure of the store while a snapshot was written into it (not of etcd's stream). */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
}

/** What builds a store: the location, and the S3 settings when it is a bucket. */
export interface SnapshotStoreSpec {
  location: SnapshotLocation;
  s3: S3StoreSettings;
}

/** Built in the wiring (deps.ts, runtime-deps.ts): the only place an S3 client is made. */
export type SnapshotStoreFactory = (spec: SnapshotStoreSpec) => SnapshotStore;
