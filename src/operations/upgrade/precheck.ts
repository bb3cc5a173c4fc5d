/**
 * `upgrade check`: can this cluster go to the target version, and in what order? A pure
 * function of the inventory (gathered elsewhere) and the request. Every skew-policy rule
 * and cluster gate is a finding with a remedy; any critical finding makes it a no-go.
 * The report's data holds the verdict, the hops and one ordered kubeadm plan per hop.
 */
import { parse } from 'semver';
import type { Finding, Report } from '../../domain/report.js';
import { deprecatedApiFindings } from './deprecated-api-gate.js';
import { etcdVersionFindings } from './etcd-gate.js';
import { expectedEtcd } from './etcd-versions.js';
import {
  certFindings,
  controlPlanePodFindings,
  etcdCheckFindings,
  gapFindings,
  nodeFindings,
  pdbFindings,
  snapshotFindings,
  type GateContext,
} from './gates.js';
import type { UpgradeInventory } from './inventory.js';
import { oldest, parseKubeVersion, tryParseKubeVersion, type SemVer } from './kube-version.js';
import { upgradePlan, type PackageManager, type UpgradePlan } from './plan.js';
import {
  apiserverFindings,
  componentFindings,
  kubeadmFindings,
  type Seen,
  type SkewContext,
} from './skew-findings.js';
import { hopMinor, upgradeHops, type UpgradeHop } from './skew-policy.js';

const DAY = 86_400_000;

export interface UpgradePrecheckOptions {
  /** The target version, as the operator wrote it (`v1.31.4`). */
  to: string;
  /** Allow a pre-release target such as `1.32.0-rc.1`. */
  allowPrerelease?: boolean;
  /** ms: the newest verified snapshot must be younger than this. */
  maxSnapshotAge: number;
  now: Date;
  /** ms: certificates expiring within it are critical. Default 7 days. */
  upgradeWindow?: number;
  /** ms: certificates expiring within it are a warning. Default 30 days. */
  certWarn?: number;
  /** The latest patch of intermediate minors, e.g. `{ '1.30': '1.30.14' }`; else `1.30.x`. */
  latestPatches?: Readonly<Record<string, string>>;
  packageManager?: PackageManager;
  /** When gathering began; default `now`. */
  startedAt?: Date;
}

export interface UpgradeCheckData {
  verdict: 'go' | 'no-go';
  /** The oldest kube-apiserver's version, where the plan starts. */
  from: string;
  to: string;
  hops: UpgradeHop[];
  /** One per hop, in order. */
  plans: UpgradePlan[];
  /** etcd now and what kubeadm deploys at the target. */
  etcd: { members: string[]; target: string; confirmed: boolean };
}

export type UpgradeCheckReport = Report<UpgradeCheckData>;

function apiserversOf(inv: UpgradeInventory): Seen[] {
  const raw = [
    { where: '/version', raw: inv.apiserverVersion },
    ...inv.apiservers.map((a) => ({ where: a.node, raw: a.version })),
  ];
  return raw.flatMap((r) => {
    const version = tryParseKubeVersion(r.raw);
    return version ? [{ ...r, version }] : [];
  });
}

function targetFindings(
  from: SemVer,
  target: SemVer,
  hops: UpgradeHop[],
  allowPre: boolean,
): Finding[] {
  const id = 'upgrade.target';
  const out: Finding[] = [];
  if (target.prerelease.length) {
    out.push(
      allowPre
        ? {
            id: `${id}.prerelease`,
            severity: 'info',
            title: `${target.version} is a pre-release, allowed on request`,
          }
        : {
            id: `${id}.prerelease`,
            severity: 'crit',
            title: `${target.version} is a pre-release`,
            remedy:
              'Upgrade production clusters to releases only. To test a release candidate on purpose, ask again with --allow-prerelease.',
          },
    );
  }
  if (target.compare(from) < 0) {
    out.push({
      id,
      severity: 'crit',
      title: `${target.version} is older than the cluster's ${from.version}: kubeadm cannot downgrade`,
      remedy:
        'The only way back is a restore from a snapshot taken before the upgrade (`quorum etcd restore-plan ID`).',
    });
  } else if (hops.length === 0) {
    out.push({ id, severity: 'ok', title: `Already at ${target.version}` });
  } else if (hops.length === 1) {
    out.push({ id, severity: 'ok', title: `${from.version} → ${target.version} in one step` });
  } else {
    out.push({
      id,
      severity: 'warn',
      title: `${from.version} → ${target.version} skips ${hops.length - 1} minor${hops.length > 2 ? 's' : ''}: ${hops.length} hops`,
      detail: hops.map((h, i) => `${i + 1}. ${h.from} → ${h.to}`).join('\n'),
      remedy:
        'The control plane moves one minor at a time: follow the hops in order and run this check again before each one (the checks here are for the first).',
    });
  }
  return out;
}

/** The first hop's version as a SemVer (`1.31.x` is read as `1.31.0`). */
const hopVersion = (hop: UpgradeHop | undefined) =>
  hop ? (parse(hop.exact ? hop.to : `${hopMinor(hop)}.0`) ?? undefined) : undefined;

interface Checked {
  inventory: UpgradeInventory;
  options: UpgradePrecheckOptions;
  from: SemVer;
  target: SemVer;
  hops: UpgradeHop[];
  apiservers: Seen[];
}

/** Every rule and gate, in the order the report lists them. */
function allFindings(c: Checked): Finding[] {
  const { inventory, options, target, hops } = c;
  const skew: SkewContext = {
    apiservers: c.apiservers,
    next: hopVersion(hops[0]),
    hops,
    from: c.from,
  };
  const gate: GateContext = {
    cluster: inventory.cluster,
    target,
    now: options.now,
    maxSnapshotAge: options.maxSnapshotAge,
    upgradeWindow: options.upgradeWindow ?? 7 * DAY,
    certWarn: options.certWarn ?? 30 * DAY,
  };
  return [
    ...targetFindings(c.from, target, hops, Boolean(options.allowPrerelease)),
    ...apiserverFindings(skew),
    ...componentFindings(inventory, skew),
    ...kubeadmFindings(inventory, skew),
    ...nodeFindings(inventory),
    ...controlPlanePodFindings(inventory),
    ...etcdCheckFindings(inventory, gate),
    ...snapshotFindings(inventory, gate),
    ...pdbFindings(inventory),
    ...certFindings(inventory, gate),
    ...deprecatedApiFindings(inventory, gate),
    ...etcdVersionFindings(inventory, hops),
    ...gapFindings(inventory),
  ];
}

export function upgradePrecheck(
  inventory: UpgradeInventory,
  options: UpgradePrecheckOptions,
): UpgradeCheckReport {
  const target = parseKubeVersion(options.to, 'target version');
  const base = {
    kind: 'upgrade.check',
    cluster: inventory.cluster,
    startedAt: (options.startedAt ?? options.now).toISOString(),
    finishedAt: options.now.toISOString(),
  };
  const expected = expectedEtcd(`${target.major}.${target.minor}`);
  const etcd = {
    members: inventory.etcdMembers.map((m) => m.version),
    target: expected.etcd.version,
    confirmed: expected.confirmed,
  };
  const apiservers = apiserversOf(inventory);
  const from = oldest(apiservers.map((a) => a.version));
  if (!from) {
    return {
      ...base,
      findings: [],
      couldNotRun: `cannot read the API server's version ("${inventory.apiserverVersion}")`,
      data: {
        verdict: 'no-go',
        from: inventory.apiserverVersion,
        to: target.version,
        hops: [],
        plans: [],
        etcd,
      },
    };
  }
  const hops = upgradeHops(from.version, target.version, options.latestPatches);
  const findings = allFindings({ inventory, options, from, target, hops, apiservers });
  const plans = hops.map((hop) =>
    upgradePlan({
      cluster: inventory.cluster,
      hop,
      nodes: inventory.nodes,
      ...(options.packageManager ? { packageManager: options.packageManager } : {}),
    }),
  );
  const verdict = findings.some((f) => f.severity === 'crit') ? 'no-go' : 'go';
  return {
    ...base,
    findings,
    data: { verdict, from: from.version, to: target.version, hops, plans, etcd },
  };
}
