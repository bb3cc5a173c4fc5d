/** `quorum etcd defrag`, `compact`, `alarms [disarm]`: run at once from the CLI (Slack asks for approval). */
import { reportExitStatus } from '../../../domain/report.js';
import { compactCluster, disarmAlarms, listAlarms } from '../../../operations/etcd/compact.js';
import { defragCluster } from '../../../operations/etcd/defrag.js';
import { renderJson } from '../../../render/json.js';
import { renderReportText } from '../../../render/terminal/report.js';
import { defragTable } from '../../../render/terminal/snapshots.js';
import { noPositionals, parseFlags } from '../args.js';
import { clusterContext } from '../cluster.js';
import type { CliDeps, CliIo, ExitStatus } from '../io.js';
import { QuorumError } from '../../../domain/errors.js';
import { USAGE as USAGES } from '../usage.js';

const common = { cluster: { type: 'string' }, json: { type: 'boolean' } } as const;

const DEFRAG_USAGE = USAGES['etcd defrag'];
export async function defragCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(args, common, DEFRAG_USAGE);
  noPositionals(positionals, DEFRAG_USAGE);
  const { cluster, config, connect } = clusterContext(io, deps, values.cluster);
  const report = await defragCluster(connect, {
    cluster: cluster.name,
    endpoints: cluster.etcd.endpoints,
    timeoutMs: config.check.timeout,
    defragTimeoutMs: config.maintenance.defragTimeout,
    onProgress: (p) => io.stderr(`${p.step}\n`),
  });
  io.stdout(
    values.json
      ? renderJson(report)
      : renderReportText(report, 'etcd defrag', defragTable(report.data.members)),
  );
  return reportExitStatus(report);
}

const COMPACT_USAGE = USAGES['etcd compact'];
export async function compactCommand(
  args: string[],
  io: CliIo,
  deps: CliDeps,
): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(args, common, COMPACT_USAGE);
  noPositionals(positionals, COMPACT_USAGE);
  const { cluster, config, connect } = clusterContext(io, deps, values.cluster);
  const input = {
    cluster: cluster.name,
    endpoints: cluster.etcd.endpoints,
    timeoutMs: config.check.timeout,
  };
  const report = await compactCluster(connect, input, config.maintenance.compactTimeout);
  io.stdout(values.json ? renderJson(report) : renderReportText(report, 'etcd compact'));
  return reportExitStatus(report);
}

const ALARMS_USAGE = USAGES['etcd alarms'];
export async function alarmsCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(args, common, ALARMS_USAGE);
  if (positionals.length > 1 || (positionals[0] && positionals[0] !== 'disarm')) {
    throw new QuorumError(
      'USAGE',
      `Unknown argument "${positionals.join(' ')}".`,
      `Usage: ${ALARMS_USAGE}`,
    );
  }
  const { cluster, config, connect } = clusterContext(io, deps, values.cluster);
  const input = {
    cluster: cluster.name,
    endpoints: cluster.etcd.endpoints,
    timeoutMs: config.check.timeout,
  };
  const report = positionals[0]
    ? await disarmAlarms(connect, input)
    : await listAlarms(connect, input);
  io.stdout(
    values.json
      ? renderJson(report)
      : renderReportText(report, positionals[0] ? 'etcd alarm disarm' : 'etcd alarms'),
  );
  return reportExitStatus(report);
}
