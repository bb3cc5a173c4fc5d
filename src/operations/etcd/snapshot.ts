/**
 * Taking a snapshot an operator can bet the cluster on: from a healthy follower,
 * streamed into a 0600 temp file while its trailing SHA-256 is checked, fsynced,
 * renamed atomically, described by a sidecar. Memory stays flat at any size.
 * A failed check removes the file and is a crit finding; a killed process leaves
 * only a hidden temp file, removed by the next run.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { describeError } from '../../domain/errors.js';
import type { Incomplete, Report } from '../../domain/report.js';
import type { ProgressFn, SnapshotMeta } from '../../domain/snapshot.js';
import type { EtcdConnector, EtcdMember } from './client.js';
import { ensureDir } from './ensure-dir.js';
import { pickSnapshotMember } from './pick-member.js';
import { settleBy } from './probe.js';
import { checkingStream, digestStream, TrailingHashCheck } from './snapshot-hash.js';
import { META_SUFFIX, snapshotFileName, snapshotId, tempFileName } from './snapshot-names.js';
import { cleanupTempFiles } from './snapshot-store.js';

export interface SnapshotInput {
  cluster: string;
  endpoints: readonly string[];
  dir: string;
  compress: boolean;
  requestedBy: string;
  /** Bound on choosing the member, and on silence in the stream. */
  timeoutMs: number;
  now?: () => Date;
  onProgress?: ProgressFn;
}

export interface SnapshotData {
  meta?: SnapshotMeta;
  path?: string;
  /** Temp files of killed runs that this run removed. */
  cleanedUp: string[];
}

export type SnapshotReport = Report<SnapshotData>;

export async function takeSnapshot(
  connect: EtcdConnector,
  input: SnapshotInput,
): Promise<SnapshotReport> {
  const now = input.now ?? (() => new Date());
  const startedAt = now();
  await ensureDir(input.dir);
  const cleanedUp = await cleanupTempFiles(input.dir);
  const members = input.endpoints.map((e) => connect(e));
  const report = (
    data: Omit<SnapshotData, 'cleanedUp'>,
    findings: Report['findings'],
    incomplete?: Incomplete,
  ): SnapshotReport => ({
    kind: 'etcd.snapshot',
    cluster: input.cluster,
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    findings,
    incomplete,
    data: { ...data, cleanedUp },
  });
  try {
    const picked = await pickSnapshotMember(members, Date.now() + input.timeoutMs);
    const memberList = await settleBy(
      picked.member.memberList(Date.now() + input.timeoutMs),
      Date.now() + input.timeoutMs,
    );
    const list = memberList.ok ? memberList.value : [];
    const name = list.find((m) => m.id === picked.status.memberId)?.name || picked.status.memberId;
    // The revision from status just before streaming: etcd 3.4 sends no header with the chunks.
    const status = await picked.member.status(Date.now() + input.timeoutMs);
    const file = snapshotFileName(input.cluster, startedAt, status.revision, input.compress);
    const finalPath = path.join(input.dir, file);
    const tempPath = path.join(input.dir, tempFileName(file, process.pid));
    input.onProgress?.({
      step: `streaming from ${name}${picked.isLeader ? ' (the leader: no healthy follower)' : ''}`,
    });
    const stored = await streamToFile(picked.member, tempPath, input);
    if (stored.problem) {
      await rm(tempPath, { force: true });
      return report(
        {},
        [
          {
            id: 'etcd.snapshot.verify',
            severity: 'crit',
            title: `Snapshot from ${name} failed verification: ${stored.problem}`,
            detail: 'The file was removed; nothing was kept.',
            remedy:
              'Run `quorum etcd check`; take the snapshot again, from another member if this one is unhealthy.',
          },
        ],
        {
          how: 'stopped',
          reason: `the snapshot from ${name} failed verification (${stored.problem}); nothing was kept`,
        },
      );
    }
    await rename(tempPath, finalPath);
    await fsyncDir(input.dir);
    const finishedAt = now();
    const meta: SnapshotMeta = {
      format: 1,
      id: snapshotId(file),
      file,
      cluster: input.cluster,
      member: { id: status.memberId, name, endpoint: picked.member.endpoint },
      etcdVersion: status.version,
      revision: status.revision,
      size: stored.size,
      streamSize: stored.streamSize,
      sha256: stored.sha256,
      compressed: input.compress,
      verified: true,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      requestedBy: input.requestedBy,
      members: list,
    };
    await writeAtomically(`${finalPath}${META_SUFFIX}`, `${JSON.stringify(meta, null, 2)}\n`);
    return report({ meta, path: finalPath }, [
      {
        id: 'etcd.snapshot',
        severity: 'ok',
        title: `Snapshot ${meta.id} saved and verified`,
        detail: finalPath,
      },
    ]);
  } finally {
    for (const m of members) m.close();
  }
}

interface Stored {
  problem?: string;
  size: number;
  streamSize: number;
  sha256: string;
}

async function streamToFile(
  member: EtcdMember,
  tempPath: string,
  input: SnapshotInput,
): Promise<Stored> {
  const abort = new AbortController();
  let idle: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(
      () =>
        abort.abort(new Error(`the snapshot stream stalled: no data for ${input.timeoutMs} ms`)),
      input.timeoutMs,
    );
  };
  const check = new TrailingHashCheck();
  const storedHash = createHash('sha256');
  let storedBytes = 0;
  let lastReport = 0;
  try {
    touch();
    await pipeline(
      Readable.from(member.snapshot(abort.signal)),
      checkingStream(check, (bytes) => {
        touch();
        if (bytes - lastReport >= 8 * 2 ** 20) {
          lastReport = bytes;
          input.onProgress?.({ step: 'streaming', done: bytes });
        }
      }),
      // Uncompressed, the stored bytes are the stream: the check's hash serves both.
      ...(input.compress
        ? [createGzip({ level: 6 }), digestStream(storedHash, (n) => (storedBytes += n))]
        : []),
      // flush: fsync before close, so a renamed snapshot is on disk.
      createWriteStream(tempPath, { flags: 'wx', mode: 0o600, flush: true }),
      { signal: abort.signal },
    );
    return {
      problem: check.problem(),
      size: input.compress ? storedBytes : check.bytes,
      streamSize: check.bytes,
      sha256: input.compress ? storedHash.digest('hex') : check.wholeDigest(),
    };
  } catch (err) {
    return {
      problem: `the stream failed: ${describeError(abort.signal.reason ?? err)}`,
      size: 0,
      streamSize: check.bytes,
      sha256: '',
    };
  } finally {
    clearTimeout(idle);
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
