/**
 * `upgrade check` against a live cluster, as the CLI and the worker run it: the target
 * is checked first (a bad version is a USAGE error before anything is read), then the
 * inventory is gathered (gather.ts) and judged (precheck.ts, pure).
 */
import type { KubeClient } from '../kube/client.js';
import { gatherInventory, VERSION_GAP, type GatherEtcd, type GatherInput } from './gather.js';
import { parseKubeVersion } from './kube-version.js';
import {
  upgradePrecheck,
  type UpgradeCheckReport,
  type UpgradePrecheckOptions,
} from './precheck.js';

export type UpgradeCheckInput = GatherInput &
  Omit<UpgradePrecheckOptions, 'now' | 'startedAt'> & {
    /** Injectable clock; default the wall clock. */
    now?: () => Date;
  };

export async function upgradeCheck(
  kube: KubeClient,
  etcd: GatherEtcd,
  input: UpgradeCheckInput,
): Promise<UpgradeCheckReport> {
  parseKubeVersion(input.to, 'target version');
  const now = input.now ?? (() => new Date());
  const startedAt = now();
  const { cluster, timeoutMs, now: _clock, ...options } = input;
  const inventory = await gatherInventory(kube, etcd, { cluster, timeoutMs });
  const report = upgradePrecheck(inventory, { ...options, now: now(), startedAt });
  const versionGap = inventory.gaps?.find((g) => g.what === VERSION_GAP);
  if (report.couldNotRun && versionGap) {
    report.couldNotRun = `cannot read the API server's version from ${kube.server}: ${versionGap.error}`;
  }
  return report;
}
