/** `quorum etcd snapshot`, `snapshots`, `prune`, `verify`, `restore-plan`. */
import path from 'node:path';
import { reportExitStatus, type Report } from '../../../domain/report.js';
import { applyRetention, snapshotAndKeep } from '../../../app/snapshots/keep.js';
import { restorePlan } from '../../../operations/etcd/restore-plan.js';
import { findSnapshot, listSnapshots } from '../../../operations/etcd/snapshot-store.js';
import { recheckSnapshots, verifySnapshot } from '../../../operations/etcd/snapshot-verify.js';
import { renderJson } from '../../../render/json.js';
import { renderReportText } from '../../../render/terminal/report.js';
import { retentionText, snapshotTable } from '../../../render/terminal/snapshots.js';
import { parseFlags, requirePositional } from '../args.js';
import { cliRequester, clusterContext, type ClusterContext } from '../cluster.js';
import type { CliDeps, CliIo, ExitStatus } from '../io.js';

const common = {
  cluster: { type: 'string' },
  json: { type: 'boolean' },
  dir: { type: 'string' },
} as const;

function print(
  io: CliIo,
  json: boolean | undefined,
  report: Report,
  what: string,
  body?: string,
): ExitStatus {
  io.stdout(json ? renderJson(report) : renderReportText(report, what, body));
  return reportExitStatus(report);
}

const prune = (ctx: ClusterContext, dryRun: boolean) =>
  applyRetention(ctx.snapshotDir, ctx.cluster.name, ctx.config.snapshots.retention, { dryRun });

export const SNAPSHOT_USAGE =
  'quorum etcd snapshot [--cluster NAME] [--dir DIR] [--compress] [--json]';
export async function snapshotCommand(
  args: string[],
  io: CliIo,
  deps: CliDeps,
): Promise<ExitStatus> {
  const { values } = parseFlags(args, { ...common, compress: { type: 'boolean' } }, SNAPSHOT_USAGE);
  const ctx = clusterContext(io, deps, values.cluster, values.dir);
  const input = {
    cluster: ctx.cluster.name,
    endpoints: ctx.cluster.etcd.endpoints,
    dir: ctx.snapshotDir,
    compress: values.compress ?? ctx.config.snapshots.compress,
    requestedBy: cliRequester(io.env),
    timeoutMs: ctx.config.check.timeout,
    onProgress: (p: unknown) => deps.logger.info({ progress: p }, 'snapshot progress'),
  };
  const { report, retention } = await snapshotAndKeep(
    ctx.connect,
    input,
    ctx.config.snapshots.retention,
  );
  const body = retention ? retentionText(retention, false, new Date()) : undefined;
  return print(io, values.json, report, 'etcd snapshot', body);
}

export const LIST_USAGE = 'quorum etcd snapshots [--cluster NAME] [--dir DIR] [--verify] [--json]';
/** The list; `--verify` re-reads every file as `quorum etcd verify` does (exit 2 when one fails). */
export async function listCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values } = parseFlags(args, { ...common, verify: { type: 'boolean' } }, LIST_USAGE);
  const ctx = clusterContext(io, deps, values.cluster, values.dir);
  const dir = path.resolve(ctx.snapshotDir);
  const entries = await listSnapshots(dir, ctx.cluster.name);
  const rechecks = values.verify ? await recheckSnapshots(entries) : undefined;
  const byId = new Map(rechecks?.map(({ id, ...r }) => [id, r]));
  if (values.json) {
    const snapshots = entries.map(({ meta: _m, ...e }) =>
      rechecks ? { ...e, recheck: byId.get(e.id) } : e,
    );
    io.stdout(`${JSON.stringify({ cluster: ctx.cluster.name, dir, snapshots }, null, 2)}\n`);
  } else {
    const view = { cluster: ctx.cluster.name, dir, entries, rechecks };
    io.stdout(`${snapshotTable(view, new Date())}\n`);
  }
  return rechecks?.some((r) => !r.intact) ? 2 : 0;
}

export const PRUNE_USAGE = 'quorum etcd prune [--cluster NAME] [--dir DIR] [--dry-run]';
export async function pruneCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values } = parseFlags(args, { ...common, 'dry-run': { type: 'boolean' } }, PRUNE_USAGE);
  const ctx = clusterContext(io, deps, values.cluster, values.dir);
  const decision = await prune(ctx, values['dry-run'] ?? false);
  io.stdout(`${retentionText(decision, values['dry-run'] ?? false, new Date())}\n`);
  return 0;
}

export const VERIFY_USAGE = 'quorum etcd verify FILE|ID [--cluster NAME] [--dir DIR] [--json]';
export async function verifyCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(args, common, VERIFY_USAGE);
  const ref = requirePositional(positionals, 'a snapshot file or id', VERIFY_USAGE);
  const ctx = clusterContext(io, deps, values.cluster, values.dir);
  const report = await verifySnapshot(await findSnapshot(ctx.snapshotDir, ref), ctx.cluster.name);
  return print(io, values.json, report, 'snapshot verify');
}

export const PLAN_USAGE = 'quorum etcd restore-plan ID [--cluster NAME] [--dir DIR] [--json]';
export async function restorePlanCommand(
  args: string[],
  io: CliIo,
  deps: CliDeps,
): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(args, common, PLAN_USAGE);
  const ref = requirePositional(positionals, 'a snapshot id', PLAN_USAGE);
  const ctx = clusterContext(io, deps, values.cluster, values.dir);
  const report = await restorePlan(ctx.connect, {
    cluster: ctx.cluster.name,
    endpoints: ctx.cluster.etcd.endpoints,
    entry: await findSnapshot(ctx.snapshotDir, ref),
    dataDir: ctx.cluster.etcd.dataDir,
    timeoutMs: ctx.config.check.timeout,
  });
  if (values.json) io.stdout(renderJson(report));
  else io.stdout(`${report.data.text}\n`);
  return reportExitStatus(report);
}
