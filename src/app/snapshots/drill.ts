/**
 * A restore drill, one way for the CLI and the worker: pick the snapshot (the newest
 * verified one, or the one named), drill it (operations/etcd/drill.ts), and record the
 * result where this caller keeps drill results (Redis for workers, `<file>.drill.json`
 * for the CLI) before anything reports it. A record that cannot be written is a warning
 * in the report, not a lost drill.
 */
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../../config/schema.js';
import type { DrillRecords, DrillReport } from '../../domain/drill.js';
import { describeError, QuorumError } from '../../domain/errors.js';
import type { ProgressFn, SnapshotEntry } from '../../domain/snapshot.js';
import type { EtcdConnector } from '../../operations/etcd/client.js';
import { drillSnapshot } from '../../operations/etcd/drill.js';
import { drillRecordOf } from '../../operations/etcd/drill-records.js';

/** What a drill needs of a snapshot store (SnapshotStore has all three). */
export interface DrillSource {
  readonly location: string;
  list(cluster: string): Promise<SnapshotEntry[]>;
  find(ref: string): Promise<SnapshotEntry>;
  open(entry: SnapshotEntry): Promise<Readable>;
}

export interface DrillRequest {
  cluster: string;
  config: Config;
  /** A snapshot id, file name or path; `latest` or absent: the newest verified one. */
  ref?: string;
  source: DrillSource;
  records?: DrillRecords;
  /** PATH for the tools, and the environment they run in (ETCD* variables are dropped). */
  env: Record<string, string | undefined>;
  onProgress?: ProgressFn;
}

/** Drill directories: `drills.workDir`, else `quorum-drills` in the system's temp dir. */
export function drillWorkDir(config: Config): string {
  return config.drills.workDir ?? path.join(os.tmpdir(), 'quorum-drills');
}

async function pickEntry(req: DrillRequest): Promise<SnapshotEntry> {
  if (req.ref && req.ref !== 'latest') return req.source.find(req.ref);
  const newest = (await req.source.list(req.cluster)).find((e) => e.verified);
  if (newest) return newest;
  throw new QuorumError(
    'SNAPSHOT_NOT_FOUND',
    `No verified snapshot of ${req.cluster} in ${req.source.location} to drill.`,
    `Take one first: \`quorum etcd snapshot --cluster ${req.cluster}\` (or /etcd-snapshot ${req.cluster}), or name a snapshot: \`quorum etcd drill ID\`.`,
  );
}

export async function drillAndRecord(
  connect: EtcdConnector,
  req: DrillRequest,
): Promise<DrillReport> {
  const entry = await pickEntry(req);
  const report = await drillSnapshot(connect, {
    cluster: req.cluster,
    entry,
    workDir: drillWorkDir(req.config),
    binDir: req.config.drills.binDir,
    env: req.env,
    timeoutMs: req.config.drills.timeout,
    openStored: (e) => req.source.open(e),
    onProgress: req.onProgress,
  });
  if (!req.records) return report;
  try {
    await req.records.record(drillRecordOf(report));
  } catch (err) {
    report.findings.push({
      id: 'etcd.drill.record',
      severity: 'warn',
      title: `The drill's result could not be recorded: ${describeError(err)}`,
      remedy:
        'The etcd check and the upgrade precheck will not see this drill: fix the store of drill records (Redis for workers; the snapshot directory for the CLI) and drill again.',
    });
  }
  return report;
}
