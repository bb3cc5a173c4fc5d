/** `quorum upgrade check --to VERSION [--allow-prerelease] [--cluster NAME] [--json] [--timeout 5s]` */
import { QuorumError } from '../../../domain/errors.js';
import { reportExitStatus } from '../../../domain/report.js';
import { upgradeCheck } from '../../../operations/upgrade/check.js';
import { gatherEtcdOf } from '../../../app/etcd-inputs.js';
import { parseKubeVersion } from '../../../operations/upgrade/kube-version.js';
import { renderJson } from '../../../render/json.js';
import { renderUpgradeCheckText } from '../../../render/terminal/upgrade-check.js';
import { optionalDuration, parseFlags } from '../args.js';
import { clusterContext } from '../cluster.js';
import type { CliDeps, CliIo, ExitStatus } from '../io.js';
import { USAGE as USAGES } from '../usage.js';

const USAGE = USAGES['upgrade check'];

/** The `--to` value, checked before anything is read. */
function target(to: string | undefined, positionals: string[]): string {
  if (positionals.length)
    throw new QuorumError(
      'USAGE',
      `Unexpected argument "${positionals[0]}".`,
      `Give the target with --to, e.g. quorum upgrade check --to v1.32.0\nUsage: ${USAGE}`,
    );
  if (!to)
    throw new QuorumError(
      'USAGE',
      'Missing --to VERSION: the Kubernetes version to upgrade to.',
      `e.g. quorum upgrade check --to v1.32.0\nUsage: ${USAGE}`,
    );
  parseKubeVersion(to, 'target version');
  return to;
}

export async function upgradeCheckCommand(
  args: string[],
  io: CliIo,
  deps: CliDeps,
): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(
    args,
    {
      to: { type: 'string' },
      'allow-prerelease': { type: 'boolean' },
      cluster: { type: 'string' },
      json: { type: 'boolean' },
      timeout: { type: 'string' },
    },
    USAGE,
  );
  const to = target(values.to, positionals);
  const timeout = optionalDuration(values.timeout, '--timeout');
  const ctx = clusterContext(io, deps, values.cluster);
  const { config, cluster } = ctx;
  const report = await upgradeCheck(
    deps.kubeConnector(cluster),
    gatherEtcdOf(config, cluster, ctx.connect, ctx.snapshots()),
    {
      cluster: cluster.name,
      timeoutMs: timeout ?? config.check.timeout,
      to,
      allowPrerelease: values['allow-prerelease'] ?? false,
      maxSnapshotAge: config.upgrade.maxSnapshotAge,
    },
  );
  io.stdout(values.json ? renderJson(report) : renderUpgradeCheckText(report));
  return reportExitStatus(report);
}
