/** `quorum etcd snapshot`, `snapshots`, `prune`, `verify`, `restore-plan`: the same against any store. */
import { reportExitStatus, type Report } from '../../../domain/report.js';
import { QuorumError } from '../../../domain/errors.js';
import { pruneStore, snapshotAndKeep } from '../../../app/snapshots/keep.js';
import { restorePlan } from '../../../operations/etcd/restore-plan.js';
import { recheckSnapshots, verifySnapshot } from '../../../operations/etcd/snapshot-verify.js';
import { renderJson } from '../../../render/json.js';
import { renderReportText } from '../../../render/terminal/report.js';
import { cleanupText, retentionText, snapshotTable } from '../../../render/terminal/snapshots.js';
import { parseFlags, requirePositional } from '../args.js';
import { cliRequester, clusterContext, type ClusterContext } from '../cluster.js';
import type { CliDeps, CliIo, ExitStatus } from '../io.js';
import { USAGE as USAGES } from '../usage.js';

const common = {
  cluster: { type: 'string' },
  json: { type: 'boolean' },
  dir: { type: 'string' },
  store: { type: 'string' },
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

/** The context with the store `--dir` or `--store` names (one of them at most). */
function context(
  io: CliIo,
  deps: CliDeps,
  values: { cluster?: string; dir?: string; store?: string },
  usage: string,
): ClusterContext {
  if (values.dir !== undefined && values.store !== undefined)
    throw new QuorumError(
      'USAGE',
      '--dir and --store name the same thing: give one.',
      `Usage: ${usage}`,
    );
  return clusterContext(io, deps, values.cluster, values.store ?? values.dir);
}

const SNAPSHOT_USAGE = USAGES['etcd snapshot'];
export async function snapshotCommand(
  args: string[],
  io: CliIo,
  deps: CliDeps,
): Promise<ExitStatus> {
  const { values } = parseFlags(args, { ...common, compress: { type: 'boolean' } }, SNAPSHOT_USAGE);
  const ctx = context(io, deps, values, SNAPSHOT_USAGE);
  const input = {
    cluster: ctx.cluster.name,
    endpoints: ctx.cluster.etcd.endpoints,
    store: ctx.snapshots(),
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

const LIST_USAGE = USAGES['etcd snapshots'];
/** The list; `--verify` re-reads every snapshot as `quorum etcd verify` does (exit 2 when one fails). */
export async function listCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values } = parseFlags(args, { ...common, verify: { type: 'boolean' } }, LIST_USAGE);
  const ctx = context(io, deps, values, LIST_USAGE);
  const store = ctx.snapshots();
  const dir = store.location;
  const entries = await store.list(ctx.cluster.name);
  const rechecks = values.verify ? await recheckSnapshots(store, entries) : undefined;
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

const PRUNE_USAGE = USAGES['etcd prune'];
/** Leftovers of interrupted snapshots, then the retention policy; the newest verified one always stays. */
export async function pruneCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values } = parseFlags(args, { ...common, 'dry-run': { type: 'boolean' } }, PRUNE_USAGE);
  const ctx = context(io, deps, values, PRUNE_USAGE);
  const dryRun = values['dry-run'] ?? false;
  const { cleanup, decision } = await pruneStore(
    ctx.snapshots(),
    ctx.cluster.name,
    ctx.config.snapshots.retention,
    { dryRun },
  );
  const leftovers = cleanupText(cleanup, dryRun);
  io.stdout(
    `${retentionText(decision, dryRun, new Date())}\n${leftovers ? `\n${leftovers}\n` : ''}`,
  );
  return 0;
}

const VERIFY_USAGE = USAGES['etcd verify'];
export async function verifyCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(args, common, VERIFY_USAGE);
  const ref = requirePositional(positionals, 'a snapshot file or id', VERIFY_USAGE);
  const ctx = context(io, deps, values, VERIFY_USAGE);
  const store = ctx.storeOf(ref);
  const report = await verifySnapshot(store, await store.find(ref), ctx.cluster.name);
  return print(io, values.json, report, 'snapshot verify');
}

const PLAN_USAGE = USAGES['etcd restore-plan'];
export async function restorePlanCommand(
  args: string[],
  io: CliIo,
  deps: CliDeps,
): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(args, common, PLAN_USAGE);
  const ref = requirePositional(positionals, 'a snapshot id', PLAN_USAGE);
  const ctx = context(io, deps, values, PLAN_USAGE);
  const store = ctx.storeOf(ref);
  const report = await restorePlan(ctx.connect, {
    cluster: ctx.cluster.name,
    endpoints: ctx.cluster.etcd.endpoints,
    entry: await store.find(ref),
    store,
    dataDir: ctx.cluster.etcd.dataDir,
    timeoutMs: ctx.config.check.timeout,
  });
  if (values.json) io.stdout(renderJson(report));
  else io.stdout(`${report.data.text}\n`);
  return reportExitStatus(report);
}
