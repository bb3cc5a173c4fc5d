/** `quorum etcd drill [ID|latest]`: prove a snapshot restores, and how long that takes here. */
import { drillAndRecord } from '../../../app/snapshots/drill.js';
import { QuorumError } from '../../../domain/errors.js';
import { reportExitStatus } from '../../../domain/report.js';
import { fileDrillRecords } from '../../../operations/etcd/drill-records.js';
import { renderJson } from '../../../render/json.js';
import { renderDrillText } from '../../../render/terminal/drill.js';
import { parseFlags } from '../args.js';
import { clusterContext } from '../cluster.js';
import type { CliDeps, CliIo, ExitStatus } from '../io.js';
import { USAGE as USAGES } from '../usage.js';

const DRILL_USAGE = USAGES['etcd drill'];

export async function drillCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(
    args,
    { cluster: { type: 'string' }, json: { type: 'boolean' }, dir: { type: 'string' } },
    DRILL_USAGE,
  );
  if (positionals.length > 1) {
    throw new QuorumError(
      'USAGE',
      `Unexpected "${positionals.slice(1).join(' ')}".`,
      `Usage: ${DRILL_USAGE}`,
    );
  }
  const ctx = clusterContext(io, deps, values.cluster, values.dir);
  const ref = positionals[0];
  const source = ref && ref !== 'latest' ? ctx.storeOf(ref) : ctx.snapshots();
  const remote = /^s3:\/\//.test(source.location);
  const report = await drillAndRecord(ctx.connect, {
    cluster: ctx.cluster.name,
    config: ctx.config,
    ref,
    source,
    // Beside the snapshots (the CLI has no Redis): `quorum upgrade check` reads them there.
    records: remote
      ? fileDrillRecords(ctx.snapshotDir, { snapshotsHere: false })
      : fileDrillRecords(source.location),
    env: io.env,
    onProgress: (p) => deps.logger.info({ progress: p }, 'drill progress'),
  });
  io.stdout(values.json ? renderJson(report) : renderDrillText(report));
  return reportExitStatus(report);
}
