/** `quorum backup status [--cluster NAME] [--json] [--timeout 5s]` */
import type { DrillRecords } from '../../../domain/drill.js';
import { reportExitStatus } from '../../../domain/report.js';
import { backupStatus } from '../../../operations/backup/status.js';
import { fileDrillRecords } from '../../../operations/etcd/drill-records.js';
import { renderJson } from '../../../render/json.js';
import { renderBackupStatusText } from '../../../render/terminal/backup-status.js';
import { noPositionals, optionalDuration, parseFlags } from '../args.js';
import { clusterContext, type ClusterContext } from '../cluster.js';
import type { CliDeps, CliIo, ExitStatus } from '../io.js';
import { USAGE as USAGES } from '../usage.js';

const USAGE = USAGES['backup status'];

/** Where `quorum etcd drill` keeps its records: beside local snapshots, else in the snapshot dir. */
function drillRecordsOf(ctx: ClusterContext): DrillRecords {
  const store = ctx.snapshots();
  return /^s3:\/\//.test(store.location)
    ? fileDrillRecords(ctx.snapshotDir, { snapshotsHere: false })
    : fileDrillRecords(store.location);
}

export async function backupStatusCommand(
  args: string[],
  io: CliIo,
  deps: CliDeps,
): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(
    args,
    { cluster: { type: 'string' }, json: { type: 'boolean' }, timeout: { type: 'string' } },
    USAGE,
  );
  noPositionals(positionals, USAGE);
  const timeout = optionalDuration(values.timeout, '--timeout');
  const ctx = clusterContext(io, deps, values.cluster);
  const { config, cluster } = ctx;
  const schedule = config.schedules[cluster.name]?.snapshot;
  const report = await backupStatus(deps.backupConnector(cluster), {
    cluster: cluster.name,
    timeoutMs: timeout ?? config.check.timeout,
    snapshots: ctx.snapshots(),
    drills: drillRecordsOf(ctx),
    ...(schedule ? { schedule } : {}),
  });
  io.stdout(values.json ? renderJson(report) : renderBackupStatusText(report));
  return reportExitStatus(report);
}
