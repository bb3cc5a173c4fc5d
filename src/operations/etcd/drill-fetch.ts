/**
 * The download phase of a drill: the stored bytes from the snapshot's store, gunzipped when
 * compressed, written to a 0600 file while the stream's trailing SHA-256 and the stored
 * bytes' digest (the sidecar's `sha256`) are checked. `OpenStored` is the one thing a drill
 * asks of a store; today's store is the snapshot directory (`openSnapshotFile`).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { describeError } from '../../domain/errors.js';
import type { SnapshotEntry } from '../../domain/snapshot.js';
import { checkingStream, digestStream, TrailingHashCheck } from './snapshot-hash.js';

/** The stored bytes of a snapshot, as kept (compressed when it was saved compressed). */
export type OpenStored = (entry: SnapshotEntry) => Promise<Readable>;

/** A snapshot kept as a file in the snapshot directory. */
export const openSnapshotFile: OpenStored = (entry) =>
  new Promise((resolve, reject) => {
    const stream = createReadStream(entry.path);
    stream.once('open', () => resolve(stream));
    stream.once('error', reject);
  });

export interface Fetched {
  /** Undefined when the bytes are a whole, intact snapshot; else what is wrong. */
  problem?: string;
  /** Bytes of the snapshot stream written (the bbolt file and its hash). */
  bytes: number;
}

export async function fetchSnapshot(
  open: OpenStored,
  entry: SnapshotEntry,
  file: string,
  signal: AbortSignal,
): Promise<Fetched> {
  const check = new TrailingHashCheck();
  const stored = createHash('sha256');
  try {
    await pipeline(
      await open(entry),
      digestStream(stored),
      ...((entry.meta?.compressed ?? entry.path.endsWith('.gz')) ? [createGunzip()] : []),
      checkingStream(check),
      createWriteStream(file, { flags: 'wx', mode: 0o600 }),
      { signal },
    );
  } catch (err) {
    return { problem: `it cannot be read whole: ${describeError(err)}`, bytes: check.bytes };
  }
  const digest = stored.digest('hex');
  const problem =
    check.problem() ??
    (entry.meta?.sha256 && entry.meta.sha256 !== digest
      ? 'the stored bytes differ from the SHA-256 its metadata recorded'
      : undefined);
  return { ...(problem ? { problem } : {}), bytes: check.bytes };
}
