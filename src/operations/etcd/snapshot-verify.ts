/**
 * Re-checking a stored snapshot, compressed or not, read from its store in one pass:
 * header, trailing SHA-256, and the SHA-256 of the stored bytes against the metadata.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { describeError } from '../../domain/errors.js';
import type { Finding, Report } from '../../domain/report.js';
import type { SnapshotEntry } from '../../domain/snapshot.js';
import { checkingStream, TrailingHashCheck } from './snapshot-hash.js';
import type { SnapshotStore } from './store/snapshot-store.js';

export type VerifyReport = Report<{ entry: SnapshotEntry; streamSize: number; sha256: string }>;

/** What re-reading one file found; `problem` undefined: intact. */
export interface SnapshotFileCheck {
  problem?: string;
  /** SHA-256 of the stored file, hex. */
  sha256: string;
  streamSize: number;
}

/** One line of `quorum etcd snapshots --verify`. */
export interface SnapshotRecheck {
  id: string;
  intact: boolean;
  problem?: string;
}

/**
 * Passes the bytes on, gunzipped when they start with gzip's magic (and then hashed
 * into `storedHash` on the way in); tells which it was.
 */
function unpackIfGzip(storedHash: Hash, onKind: (gzip: boolean) => void) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const it = source[Symbol.asyncIterator]();
    let head = Buffer.alloc(0);
    let ended = false;
    while (head.length < 2 && !ended) {
      const next = await it.next();
      if (next.done) ended = true;
      else head = Buffer.concat([head, next.value]);
    }
    const gzip = head[0] === 0x1f && head[1] === 0x8b;
    onKind(gzip);
    async function* all() {
      if (gzip) storedHash.update(head);
      if (head.length) yield head;
      if (ended) return;
      for (let next = await it.next(); !next.done; next = await it.next()) {
        if (gzip) storedHash.update(next.value);
        yield next.value;
      }
    }
    if (!gzip) return yield* all();
    const gunzip = createGunzip();
    const fed = pipeline(Readable.from(all()), gunzip);
    fed.catch(() => undefined); // its failure destroys gunzip, which the loop below throws
    yield* gunzip;
    await fed;
  };
}

/** Re-reads the stored bytes: bbolt header, the stream's trailing SHA-256, the metadata's SHA-256. */
export async function checkStoredSnapshot(
  store: SnapshotStore,
  entry: SnapshotEntry,
): Promise<SnapshotFileCheck> {
  const check = new TrailingHashCheck();
  const fileHash = createHash('sha256');
  let problem: string | undefined;
  let gz = false;
  try {
    await pipeline(
      await store.open(entry),
      // Uncompressed, the file is the stream: the check's hash serves both.
      unpackIfGzip(fileHash, (g) => (gz = g)),
      checkingStream(check),
      new Writable({ write: (_chunk, _enc, done) => done() }),
    );
    problem = check.problem();
  } catch (err) {
    problem = `cannot be read: ${describeError(err)}`;
  }
  const sha256 = gz ? fileHash.digest('hex') : check.wholeDigest();
  if (!problem && entry.meta && entry.meta.sha256 !== sha256) {
    problem = 'the file differs from the one saved (SHA-256 does not match its metadata)';
  }
  return { problem, sha256, streamSize: check.bytes };
}

/** Every entry re-read, one at a time (the disk or the network, not the CPU, is the limit). */
export async function recheckSnapshots(
  store: SnapshotStore,
  entries: readonly SnapshotEntry[],
): Promise<SnapshotRecheck[]> {
  const results: SnapshotRecheck[] = [];
  for (const e of entries) {
    const { problem } = await checkStoredSnapshot(store, e);
    results.push(problem ? { id: e.id, intact: false, problem } : { id: e.id, intact: true });
  }
  return results;
}

export async function verifySnapshot(
  store: SnapshotStore,
  entry: SnapshotEntry,
  cluster: string,
): Promise<VerifyReport> {
  const startedAt = new Date().toISOString();
  const { problem, sha256, streamSize } = await checkStoredSnapshot(store, entry);
  const findings: Finding[] = [
    problem
      ? {
          id: 'etcd.snapshot.verify',
          severity: 'crit',
          title: `${entry.id} is damaged: ${problem}`,
          detail: entry.path,
          remedy:
            'Do not restore from this file. Take a new snapshot now (`quorum etcd snapshot`) and check the storage that held this one.',
        }
      : {
          id: 'etcd.snapshot.verify',
          severity: 'ok',
          title: `${entry.id} is intact (SHA-256 checked${entry.meta ? ', matches its metadata' : ''})`,
          detail: entry.path,
        },
  ];
  return {
    kind: 'etcd.snapshot.verify',
    cluster,
    startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    data: { entry, streamSize, sha256 },
  };
}
