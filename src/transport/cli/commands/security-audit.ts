/** `quorum security audit [--cluster NAME] [--json] [--timeout 5s]` */
import { QuorumError } from '../../../domain/errors.js';
import { reportExitStatus } from '../../../domain/report.js';
import { securityAudit } from '../../../operations/security/audit.js';
import { renderJson } from '../../../render/json.js';
import { renderSecurityAuditText } from '../../../render/terminal/security-audit.js';
import { optionalDuration, parseFlags } from '../args.js';
import { clusterContext } from '../cluster.js';
import type { CliDeps, CliIo, ExitStatus } from '../io.js';
import { USAGE as USAGES } from '../usage.js';

const USAGE = USAGES['security audit'];

export async function securityAuditCommand(
  args: string[],
  io: CliIo,
  deps: CliDeps,
): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(
    args,
    { cluster: { type: 'string' }, json: { type: 'boolean' }, timeout: { type: 'string' } },
    USAGE,
  );
  if (positionals.length)
    throw new QuorumError('USAGE', `Unexpected argument "${positionals[0]}".`, `Usage: ${USAGE}`);
  const timeout = optionalDuration(values.timeout, '--timeout');
  const { config, cluster, connect } = clusterContext(io, deps, values.cluster);
  const report = await securityAudit(
    { connect, kube: () => deps.kubeConnector(cluster) },
    {
      cluster: cluster.name,
      endpoints: cluster.etcd.endpoints,
      metricsUrls: cluster.etcd.metricsUrls,
      timeoutMs: timeout ?? config.check.timeout,
      etcdAuth: Boolean(cluster.etcd.username),
    },
  );
  io.stdout(values.json ? renderJson(report) : renderSecurityAuditText(report));
  return reportExitStatus(report);
}
