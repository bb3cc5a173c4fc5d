/** `quorum etcd check [--cluster NAME] [--json] [--timeout 5s]` */
import { resolveCluster } from '../../../config/load.js';
import { reportExitStatus } from '../../../domain/report.js';
import { checkEtcd } from '../../../operations/etcd/check.js';
import { renderJson } from '../../../render/json.js';
import { renderEtcdCheckText } from '../../../render/terminal/etcd-check.js';
import { noPositionals, optionalDuration, parseFlags } from '../args.js';
import type { CliDeps, CliIo, ExitStatus } from '../io.js';
import { USAGE as USAGES } from '../usage.js';

const USAGE = USAGES['etcd check'];

export async function etcdCheckCommand(
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
  const config = deps.loadConfig(io.env);
  const cluster = resolveCluster(config, values.cluster);
  const report = await checkEtcd(deps.etcdConnector(cluster), {
    cluster: cluster.name,
    endpoints: cluster.etcd.endpoints,
    metricsUrls: cluster.etcd.metricsUrls,
    quotaBackendBytes: cluster.etcd.quotaBackendBytes,
    timeoutMs: timeout ?? config.check.timeout,
    thresholds: config.check.thresholds,
  });
  io.stdout(values.json ? renderJson(report) : renderEtcdCheckText(report));
  return reportExitStatus(report);
}
