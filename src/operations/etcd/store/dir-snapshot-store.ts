/**
 * The snapshot directory as a SnapshotStore: a hidden 0600 temp file written with
 * fsync, read back, renamed, the directory fsynced, then the sidecar `<file>.json`
 * written atomically — last. Entries carry absolute paths, so what is printed from
 * them works from any directory. Temp files of dead writers are removed by `prepare`.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { QuorumError } from '../../../domain/errors.js';
import type { SnapshotEntry, SnapshotMeta } from '../../../domain/snapshot.js';
import { ensureDir } from '../ensure-dir.js';
import { digestFile } from '../snapshot-hash.js';
import {
  META_SUFFIX,
  parseSnapshotName,
  TEMP_SUFFIX,
  tempFileName,
  tempOwner,
} from '../snapshot-names.js';
import { newestFirst, parseMeta, snapshotEntry } from './snapshot-entry.js';
import type { SnapshotSink, SnapshotStore, StoreCleanup } from './snapshot-store.js';
import { fsyncDir, writeAtomically } from '../durable-file.js';
import { processAlive } from '../process-alive.js';

export function dirSnapshotStore(dir: string): SnapshotStore {
  const root = path.resolve(dir);
  return {
    location: root,
    prepare: async (opts = {}) => {
      if (!opts.dryRun) await ensureDir(root);
      return cleanupTempFiles(root, opts.dryRun ?? false);
    },
    create: (file) => Promise.resolve(fileSink(root, file)),
    list: (cluster) => listSnapshots(root, cluster),
    find: (ref) => findSnapshot(root, ref),
    open: (entry) => Promise.resolve<Readable>(createReadStream(entry.path)),
    remove: async (entry) => {
      await rm(`${entry.path}${META_SUFFIX}`, { force: true });
      await rm(entry.path, { force: true });
    },
  };
}

function fileSink(dir: string, file: string): SnapshotSink {
  const finalPath = path.join(dir, file);
  const tempPath = path.join(dir, tempFileName(file, process.pid));
  // flush: fsync before close, so what is renamed is on disk.
  const stream = createWriteStream(tempPath, { flags: 'wx', mode: 0o600, flush: true });
  return {
    stream,
    stallMs: 0,
    onActivity: () => undefined,
    commit: async (meta) => {
      const back = await digestFile(tempPath);
      if (back.size !== meta.size || back.sha256 !== meta.sha256) {
        await rm(tempPath, { force: true });
        return {
          ok: false,
          problem: `the file read back differs from what was written (${back.size} of ${meta.size} bytes, SHA-256 ${back.sha256 === meta.sha256 ? 'equal' : 'different'}); it was removed`,
        };
      }
      await rename(tempPath, finalPath);
      await fsyncDir(dir);
      await writeAtomically(`${finalPath}${META_SUFFIX}`, `${JSON.stringify(meta, null, 2)}\n`);
      return { ok: true, location: finalPath };
    },
    abort: async () => {
      stream.destroy();
      await rm(tempPath, { force: true }).catch(() => undefined);
      return { cleaned: [path.basename(tempPath)] };
    },
  };
}

async function readMeta(file: string): Promise<SnapshotMeta | undefined> {
  return parseMeta(await readFile(file, 'utf8').catch(() => ''));
}

async function entryFor(dir: string, file: string): Promise<SnapshotEntry | undefined> {
  if (!parseSnapshotName(file)) return undefined;
  const full = path.resolve(dir, file);
  const size = (await stat(full)).size;
  return snapshotEntry(file, full, size, await readMeta(`${full}${META_SUFFIX}`));
}

async function listSnapshots(dir: string, cluster?: string): Promise<SnapshotEntry[]> {
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
    .sort(newestFirst);
}

/** A snapshot by id (`prod-20261126T101500Z-r42`), file name, or path. */
async function findSnapshot(dir: string, ref: string): Promise<SnapshotEntry> {
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
    `No snapshot "${ref}" in ${dir}.`,
    'List them with `quorum etcd snapshots` (`--dir DIR` or `--store s3://…` for another store), or give the path of a snapshot file.',
  );

/** Temp files whose writer is gone (killed mid-snapshot), removed unless `dryRun`. */
async function cleanupTempFiles(dir: string, dryRun: boolean): Promise<StoreCleanup> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const stale = files.filter((f) => {
    if (!f.startsWith('.') || !f.endsWith(TEMP_SUFFIX)) return false;
    const owner = tempOwner(f);
    return owner === undefined || (owner !== process.pid && !processAlive(owner));
  });
  if (!dryRun) await Promise.all(stale.map((f) => rm(path.join(dir, f), { force: true })));
  return { cleaned: stale, notes: [] };
}
