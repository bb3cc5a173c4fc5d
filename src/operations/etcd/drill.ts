/**
 * A restore drill: proof that a snapshot restores, not only that its hash matched. Fetch
 * the stored bytes (gunzip, trailing SHA-256), restore them with the tool of the snapshot's
 * etcd version into a temporary data dir, start a scratch etcd on loopback that can reach
 * no real member, wait for a linearizable read, and compare revisions and key counts with
 * those recorded when the snapshot was taken. Each phase is timed: together they are this
 * cluster's time to restore. Whatever happens, the scratch etcd is stopped and its
 * directory removed; what a killed drill left is removed by the next (drill-workdir.ts).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { DrillData, DrillPhase, DrillReport } from '../../domain/drill.js';
import { describeError } from '../../domain/errors.js';
import type { Finding } from '../../domain/report.js';
import type { ProgressFn, SnapshotEntry } from '../../domain/snapshot.js';
import type { EtcdConnector } from './client.js';
import { fetchSnapshot, openSnapshotFile, type OpenStored } from './drill-fetch.js';
import {
  damagedFinding,
  judgeDrill,
  phaseFailedFinding,
  proofOf,
  timeFinding,
} from './drill-judge.js';
import type { Env } from './drill-process.js';
import { restoreSnapshot, snapshotStatus, type SnapshotStatus } from './drill-restore.js';
import { scanRestored } from './drill-scan.js';
import {
  scratchSpec,
  ScratchStartError,
  startScratchEtcd,
  type ScratchEtcd,
} from './drill-scratch.js';
import { findDrillTools, type DrillTools } from './drill-tools.js';
import { cleanupLeftovers, makeDrillDir } from './drill-workdir.js';

export interface DrillInput {
  cluster: string;
  entry: SnapshotEntry;
  /** Where drill directories go (the fetched file and the restored data: about twice the database). */
  workDir: string;
  /** Where etcd and its tools are (QUORUM_ETCD_BIN_DIR); else PATH from `env`. */
  binDir?: string;
  /** The environment for the tools (PATH); ETCD* variables are never passed on. */
  env: Env;
  /** The whole drill ends by then. */
  timeoutMs: number;
  /** The snapshot's store; the snapshot directory by default. */
  openStored?: OpenStored;
  onProgress?: ProgressFn;
}

const GiB = 2 ** 30;
const START_ATTEMPTS = 3;

/** A phase after the download failed: its finding says which. */
class PhaseError extends Error {
  constructor(
    readonly phase: Exclude<DrillPhase, 'download'>,
    err: unknown,
  ) {
    super(describeError(err), { cause: err });
  }
}

export async function drillSnapshot(
  connect: EtcdConnector,
  input: DrillInput,
): Promise<DrillReport> {
  const startedAt = new Date();
  const deadline = startedAt.getTime() + input.timeoutMs;
  const { entry } = input;
  const data = initialData(entry);
  const report = (findings: Finding[], couldNotRun?: string): DrillReport => ({
    kind: 'etcd.drill',
    cluster: input.cluster,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    findings,
    ...(couldNotRun ? { couldNotRun } : {}),
    data,
  });
  // Before anything else, even a drill that cannot run: what killed drills left.
  data.cleanedUp = await cleanupLeftovers(input.workDir);
  const found = await findDrillTools({
    binDir: input.binDir,
    env: input.env,
    snapshotVersion: entry.meta?.etcdVersion,
    deadline,
  });
  if (!found.ok) {
    const finding: Finding = {
      id: 'etcd.drill.tools',
      severity: 'crit',
      title: `Cannot drill: ${found.problem}`,
      remedy: found.remedy,
    };
    return report([finding, ...notes(data, undefined, entry)], found.problem);
  }
  const { tools } = found;
  data.tools = {
    etcd: tools.etcd,
    etcdVersion: tools.etcdVersion,
    restore: tools.restore,
    restoreVersion: tools.restoreVersion,
  };
  const findings = await runPhases(connect, input, tools, data, deadline);
  data.totalMs = Object.values(data.phases).reduce((a, b) => a + b, 0);
  data.proved = proofOf(findings, data.restoredRevision !== undefined);
  return report([...findings, ...notes(data, found.newer, entry)]);
}

function initialData(entry: SnapshotEntry): DrillData {
  return {
    snapshot: {
      id: entry.id,
      path: entry.path,
      size: entry.size,
      compressed: entry.meta?.compressed ?? entry.path.endsWith('.gz'),
      createdAt: entry.createdAt,
      ...(entry.meta?.etcdVersion ? { etcdVersion: entry.meta.etcdVersion } : {}),
    },
    phases: {},
    totalMs: 0,
    cleanedUp: { dirs: [], killed: [] },
    proved: 'nothing',
  };
}

function notes(data: DrillData, newer: string | undefined, entry: SnapshotEntry): Finding[] {
  const out: Finding[] = [];
  if (data.phases.start !== undefined) out.push(timeFinding(data, entry.size));
  if (newer) {
    out.push({
      id: 'etcd.drill.tools',
      severity: 'info',
      title: `Restored with etcd ${newer}, newer than the snapshot's ${data.snapshot.etcdVersion}: this proves a restore on ${newer}`,
    });
  }
  const { dirs, killed } = data.cleanedUp;
  if (dirs.length) {
    out.push({
      id: 'etcd.drill.cleanup',
      severity: 'info',
      title: `Removed ${dirs.length} director${dirs.length === 1 ? 'y' : 'ies'} left by killed drills${killed.length ? ` and stopped their scratch etcd (pid ${killed.join(', ')})` : ''}`,
      detail: dirs.join('\n'),
    });
  }
  return out;
}

/** Download, restore, start, scan; the scratch etcd stopped and the directory removed in every case. */
async function runPhases(
  connect: EtcdConnector,
  input: DrillInput,
  tools: DrillTools,
  data: DrillData,
  deadline: number,
): Promise<Finding[]> {
  const dir = await makeDrillDir(input.workDir);
  const timed = async <T>(phase: DrillPhase, work: () => Promise<T>): Promise<T> => {
    input.onProgress?.({ step: `drill: ${phase}` });
    const t = performance.now();
    try {
      return await work();
    } finally {
      data.phases[phase] = (data.phases[phase] ?? 0) + Math.round(performance.now() - t);
    }
  };
  let scratch: ScratchEtcd | undefined;
  try {
    const file = path.join(dir, 'snapshot.db');
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    const open = input.openStored ?? openSnapshotFile;
    const fetched = await timed('download', () => fetchSnapshot(open, input.entry, file, signal));
    if (fetched.problem) return [damagedFinding(input.cluster, input.entry.id, fetched.problem)];
    const status = await timed('restore', () =>
      snapshotStatus(tools, file, input.env, deadline).catch((err: unknown) => {
        throw new PhaseError('restore', err);
      }),
    );
    data.status = status;
    scratch = await restoreAndStart(connect, input, tools, { dir, file, status, deadline, timed });
    const member = scratch.member;
    const scan = await timed('scan', () =>
      scanRestored(member, input.entry.meta?.counts, deadline).catch((err: unknown) => {
        throw new PhaseError('scan', err);
      }),
    );
    data.restoredRevision = scan.restoredRevision;
    if (scan.counts) data.counts = scan.counts;
    return judgeDrill({
      cluster: input.cluster,
      snapshotId: input.entry.id,
      metaRevision: input.entry.meta?.revision,
      status,
      scan,
    });
  } catch (err) {
    if (!(err instanceof PhaseError)) throw err;
    return [phaseFailedFinding(input.cluster, input.entry.id, err.phase, err.message)];
  } finally {
    await scratch?.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

interface StartContext {
  dir: string;
  file: string;
  status: SnapshotStatus;
  deadline: number;
  timed: <T>(phase: DrillPhase, work: () => Promise<T>) => Promise<T>;
}

/** Restore, then start; a port taken meanwhile means new ports and a new restore. */
async function restoreAndStart(
  connect: EtcdConnector,
  input: DrillInput,
  tools: DrillTools,
  c: StartContext,
): Promise<ScratchEtcd> {
  const quotaBytes = Math.max(2 * GiB, Math.ceil(c.status.totalSize * 1.5));
  for (let attempt = 1; ; attempt++) {
    const spec = await scratchSpec();
    const dataDir = path.join(c.dir, `data-${attempt}`);
    await c.timed('restore', () =>
      restoreSnapshot(tools, c.file, dataDir, spec, input.env, c.deadline).catch((err: unknown) => {
        throw new PhaseError('restore', err);
      }),
    );
    try {
      return await c.timed('start', () =>
        startScratchEtcd({
          etcd: tools.etcd,
          dir: c.dir,
          dataDir,
          spec,
          quotaBytes,
          env: input.env,
          connect,
          deadline: c.deadline,
        }),
      );
    } catch (err) {
      if (err instanceof ScratchStartError && err.portClash && attempt < START_ATTEMPTS) {
        await rm(dataDir, { recursive: true, force: true });
        continue;
      }
      throw new PhaseError('start', err);
    }
  }
}
