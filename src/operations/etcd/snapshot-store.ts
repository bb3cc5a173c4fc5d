/**
 * The snapshot directory: listing (newest first), finding by id or path,
 * removing, and cleaning up temporary files that a killed process left behind.
 * Entries carry absolute paths, so what is printed from them works from any directory.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { QuorumError } from '../../domain/errors.js';
import type { SnapshotEntry, SnapshotMeta } from '../../domain/snapshot.js';
import {
  META_SUFFIX,
  parseSnapshotName,
  snapshotId,
  TEMP_SUFFIX,
  tempOwner,
} from './snapshot-names.js';

async function readMeta(file: string): Promise<SnapshotMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(file, 'utf8')) as SnapshotMeta;
    return meta.format === 1 ? meta : undefined;
  } catch {
    return undefined;
  }
}

async function entryFor(dir: string, file: string): Promise<SnapshotEntry | undefined> {
  const parsed = parseSnapshotName(file);
  if (!parsed) return undefined;
  const full = path.resolve(dir, file);
  const size = (await stat(full)).size;
  const meta = await readMeta(`${full}${META_SUFFIX}`);
  const problem = !meta
    ? 'no metadata sidecar'
    : !meta.verified
      ? 'hash not verified at save time'
      : meta.size !== size
        ? `size changed since it was saved (${meta.size} → ${size} bytes)`
        : undefined;
  return {
    id: snapshotId(file),
    path: full,
    cluster: parsed.cluster,
    createdAt: meta?.startedAt ?? parsed.createdAt.toISOString(),
    revision: meta?.revision ?? parsed.revision,
    size,
    verified: problem === undefined,
    problem,
    meta,
  };
}

/** Kept snapshots of `cluster` (all clusters when undefined), newest first. Temp files are never listed. */
export async function listSnapshots(dir: string, cluster?: string): Promise<SnapshotEntry[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const entries = await Promise.all(files.map((f) => entryFor(dir, f)));
  return entries
    .filter(
      (e): e is SnapshotEntry =>
        e !== undefined && (cluster === undefined || e.cluster === cluster),
    )
    .sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || (b.revision ?? 0) - (a.revision ?? 0),
    );
}

/** A snapshot by id (`prod-20261126T101500Z-r42`), file name, or path. */
export async function findSnapshot(dir: string, ref: string): Promise<SnapshotEntry> {
  if (ref.includes('/')) {
    const entry = await entryFor(path.dirname(ref), path.basename(ref)).catch(() => undefined);
    if (entry) return entry;
    try {
      const size = (await stat(ref)).size;
      return {
        id: path.basename(ref),
        path: path.resolve(ref),
        cluster: '?',
        createdAt: '',
        size,
        verified: false,
        problem: 'not a Quorum snapshot name',
      };
    } catch {
      throw notFound(ref, dir);
    }
  }
  const all = await listSnapshots(dir);
  const found = all.find((e) => e.id === ref || path.basename(e.path) === ref);
  if (!found) throw notFound(ref, dir);
  return found;
}

const notFound = (ref: string, dir: string) =>
  new QuorumError(
    'SNAPSHOT_NOT_FOUND',
    `No snapshot "${ref}" in ${path.resolve(dir)}.`,
    'List them with `quorum etcd snapshots` (`--dir DIR` for another directory), or give the path of a snapshot file.',
  );

export async function removeSnapshot(entry: SnapshotEntry): Promise<void> {
  await rm(`${entry.path}${META_SUFFIX}`, { force: true });
  await rm(entry.path, { force: true });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes temp files whose writer is gone (killed mid-snapshot). Returns their names. */
export async function cleanupTempFiles(dir: string): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const stale = files.filter((f) => {
    if (!f.startsWith('.') || !f.endsWith(TEMP_SUFFIX)) return false;
    const owner = tempOwner(f);
    return owner === undefined || (owner !== process.pid && !alive(owner));
  });
  await Promise.all(stale.map((f) => rm(path.join(dir, f), { force: true })));
  return stale;
}
