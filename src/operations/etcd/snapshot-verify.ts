/** Re-checking a stored snapshot, compressed or not: header, trailing SHA-256, sidecar hash. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { describeError } from '../../domain/errors.js';
import type { Finding, Report } from '../../domain/report.js';
import type { SnapshotEntry } from '../../domain/snapshot.js';
import { checkingStream, digestStream, TrailingHashCheck } from './snapshot-hash.js';

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

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Re-reads the file: bbolt header, the stream's trailing SHA-256, the sidecar's SHA-256 of the file. */
export async function checkSnapshotFile(entry: SnapshotEntry): Promise<SnapshotFileCheck> {
  const check = new TrailingHashCheck();
  const fileHash = createHash('sha256');
  let problem: string | undefined;
  let gz = false;
  try {
    gz = await isGzip(entry.path);
    // Uncompressed, the file is the stream: the check's hash serves both.
    const unpack: NodeJS.ReadWriteStream[] = gz ? [digestStream(fileHash), createGunzip()] : [];
    await pipeline([
      createReadStream(entry.path),
      ...unpack,
      checkingStream(check),
      new Writable({ write: (_chunk, _enc, done) => done() }),
    ]);
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

/** Every entry re-read, one file at a time (the disk, not the CPU, is the limit). */
export async function recheckSnapshots(
  entries: readonly SnapshotEntry[],
): Promise<SnapshotRecheck[]> {
  const results: SnapshotRecheck[] = [];
  for (const e of entries) {
    const { problem } = await checkSnapshotFile(e);
    results.push(problem ? { id: e.id, intact: false, problem } : { id: e.id, intact: true });
  }
  return results;
}

export async function verifySnapshot(entry: SnapshotEntry, cluster: string): Promise<VerifyReport> {
  const startedAt = new Date().toISOString();
  const { problem, sha256, streamSize } = await checkSnapshotFile(entry);
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
