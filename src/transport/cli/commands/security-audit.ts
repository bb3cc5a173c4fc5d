/**
 * `quorum security audit [--cluster NAME] [--json] [--since FILE] [--timeout 5s]`; with
 * `--since`, the report opens with what changed since that earlier `--json` report (the CLI
 * keeps no history itself).
 */
import { QuorumError } from '../../../domain/errors.js';
import { reportExitStatus } from '../../../domain/report.js';
import { auditInputFor } from '../../../app/security/audit-input.js';
import { securityAudit } from '../../../operations/security/audit.js';
import { auditProgress } from '../../../operations/security/progress.js';
import { renderJson } from '../../../render/json.js';
import { renderSecurityAuditText } from '../../../render/terminal/security-audit.js';
import { optionalDuration, parseFlags } from '../args.js';
import { clusterContext } from '../cluster.js';
import { readSinceReport } from '../since-report.js';
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
    {
      cluster: { type: 'string' },
      since: { type: 'string' },
      json: { type: 'boolean' },
      timeout: { type: 'string' },
    },
    USAGE,
  );
  if (positionals.length)
    throw new QuorumError('USAGE', `Unexpected argument "${positionals[0]}".`, `Usage: ${USAGE}`);
  const timeout = optionalDuration(values.timeout, '--timeout');
  const { config, cluster, connect } = clusterContext(io, deps, values.cluster);
  // Checked before the audit: a wrong file costs no scan.
  const since =
    values.since === undefined ? undefined : readSinceReport(values.since, cluster.name);
  const audited = await securityAudit(
    { connect, kube: () => deps.kubeConnector(cluster) },
    auditInputFor(config, cluster, timeout ? { timeoutMs: timeout } : {}),
  );
  const report =
    since && !audited.couldNotRun
      ? { ...audited, data: { ...audited.data, progress: auditProgress(since, audited.findings) } }
      : audited;
  io.stdout(values.json ? renderJson(report) : renderSecurityAuditText(report));
  return reportExitStatus(report);
}
