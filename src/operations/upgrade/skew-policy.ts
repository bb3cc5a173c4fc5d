/**
 * The Kubernetes version skew policy (https://kubernetes.io/releases/version-skew-policy/)
 * as a table, and the checks it implies. Pure: versions in, breaches out; the findings
 * are built in skew-findings.ts.
 *
 * - The control plane moves one minor at a time, even a single kube-apiserver: a request
 *   that skips minors becomes a sequence of hops (`upgradeHops`).
 * - HA kube-apiservers are at most one minor apart.
 * - Each other component is compared with every kube-apiserver it may talk to: not newer
 *   than the oldest, not too far behind the newest (`SKEW_RULES`).
 */
import { QuorumError } from '../../domain/errors.js';
import { minorsAhead, newest, oldest, parseKubeVersion, type SemVer } from './kube-version.js';

export { parseKubeVersion, tryParseKubeVersion, imageTag } from './kube-version.js';

export type SkewComponent =
  | 'kubelet'
  | 'kube-proxy'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'cloud-controller-manager'
  | 'kubectl';

export interface SkewRule {
  component: SkewComponent;
  /** Minors it may be ahead of the oldest kube-apiserver. */
  maxNewer: number;
  /** Minors it may be behind the newest kube-apiserver, given that apiserver's version. */
  maxOlder(apiserver: SemVer): number;
  /** A breach by a server component is critical; kubectl, a client, only warns. */
  severity: 'crit' | 'warn';
  /** The policy in one sentence, for findings. */
  policy: string;
}

/**
 * kubelet and kube-proxy may be 3 minors behind since 1.28 (KEP-3935), 2 before. The
 * policy words it as "kubelet < 1.25 may only be two behind"; for a 3-minor gap the two
 * readings agree, so it is keyed here on the apiserver.
 */
export const nodeMaxOlder = (apiserver: SemVer): number =>
  apiserver.major === 1 && apiserver.minor < 28 ? 2 : 3;

const NODE_POLICY =
  'must not be newer than kube-apiserver and may be up to 3 minors older (2 when kube-apiserver is below 1.28)';
const CONTROL_POLICY =
  'must not be newer than any kube-apiserver and may be at most 1 minor older than the newest';

export const SKEW_RULES: readonly SkewRule[] = [
  {
    component: 'kubelet',
    maxNewer: 0,
    maxOlder: nodeMaxOlder,
    severity: 'crit',
    policy: NODE_POLICY,
  },
  {
    component: 'kube-proxy',
    maxNewer: 0,
    maxOlder: nodeMaxOlder,
    severity: 'crit',
    policy: NODE_POLICY,
  },
  ...(['kube-controller-manager', 'kube-scheduler', 'cloud-controller-manager'] as const).map(
    (component): SkewRule => ({
      component,
      maxNewer: 0,
      maxOlder: () => 1,
      severity: 'crit',
      policy: CONTROL_POLICY,
    }),
  ),
  {
    component: 'kubectl',
    maxNewer: 1,
    maxOlder: () => 1,
    severity: 'warn',
    policy: 'is supported within one minor (older or newer) of kube-apiserver',
  },
];

export function skewRule(component: SkewComponent): SkewRule {
  const rule = SKEW_RULES.find((r) => r.component === component);
  if (!rule) throw new Error(`no skew rule for ${component}`);
  return rule;
}

/** HA kube-apiservers: the newest and the oldest at most this many minors apart. */
export const APISERVER_MAX_SPREAD = 1;

export interface SkewBreach {
  direction: 'newer' | 'older';
  /** Minors ahead of (newer) or behind (older) `against`. */
  by: number;
  limit: number;
  against: SemVer;
}

/** How `version` breaks `rule` against the kube-apiservers it talks to; undefined when within policy. */
export function skewBreach(
  rule: SkewRule,
  version: SemVer,
  apiservers: readonly SemVer[],
): SkewBreach | undefined {
  const low = oldest(apiservers);
  const high = newest(apiservers);
  if (!low || !high) return undefined;
  const ahead = minorsAhead(version, low);
  if (ahead > rule.maxNewer)
    return { direction: 'newer', by: ahead, limit: rule.maxNewer, against: low };
  const behind = minorsAhead(high, version);
  const limit = rule.maxOlder(high);
  if (behind > limit) return { direction: 'older', by: behind, limit, against: high };
  return undefined;
}

/** kube-proxy and the kubelet beside it: within 3 minors either way (2 when kube-proxy is below 1.25). */
export function proxyKubeletBreach(proxy: SemVer, kubelet: SemVer): SkewBreach | undefined {
  const limit = proxy.major === 1 && proxy.minor < 25 ? 2 : 3;
  const gap = minorsAhead(proxy, kubelet);
  if (Math.abs(gap) <= limit) return undefined;
  return { direction: gap > 0 ? 'newer' : 'older', by: Math.abs(gap), limit, against: kubelet };
}

/** The minors between the oldest and the newest kube-apiserver, when more than allowed. */
export function apiserverSpread(apiservers: readonly SemVer[]): number | undefined {
  const low = oldest(apiservers);
  const high = newest(apiservers);
  if (!low || !high) return undefined;
  const spread = minorsAhead(high, low);
  return spread > APISERVER_MAX_SPREAD ? spread : undefined;
}

/**
 * kubeadm must be at least the target (it refuses `upgrade apply` to a newer version
 * than itself) and deploys at most one minor older than itself.
 */
export function kubeadmProblem(kubeadm: SemVer, target: SemVer): 'older' | 'newer' | undefined {
  const ahead = minorsAhead(kubeadm, target);
  if (ahead < 0 || (ahead === 0 && kubeadm.compareMain(target) < 0)) return 'older';
  if (ahead > 1) return 'newer';
  return undefined;
}

export interface UpgradeHop {
  from: string;
  /** `1.31.4`; for an intermediate minor whose latest patch was not given, `1.31.x`. */
  to: string;
  /** False when `to` is a `1.31.x` placeholder. */
  exact: boolean;
}

/**
 * The control plane moves at most one minor per step: `1.29.8 → 1.31.4` is
 * `1.29.8 → 1.30.x → 1.31.4`. `latestPatches` (`{ '1.30': '1.30.14' }`) fills in the
 * intermediate minors. Empty when `to` is not newer than `from`.
 */
export function upgradeHops(
  from: string,
  to: string,
  latestPatches: Readonly<Record<string, string>> = {},
): UpgradeHop[] {
  const a = parseKubeVersion(from, 'current version');
  const b = parseKubeVersion(to, 'target version');
  if (a.major !== b.major) {
    throw new QuorumError(
      'USAGE',
      `Cannot plan an upgrade from ${a.version} to ${b.version}: the major version differs.`,
      'Kubernetes upgrades go one minor at a time within a major version.',
    );
  }
  if (b.compare(a) <= 0) return [];
  const hops: UpgradeHop[] = [];
  let current = a.version;
  for (let minor = a.minor + 1; minor < b.minor; minor++) {
    const key = `${a.major}.${minor}`;
    const known = latestPatches[key];
    const next = known ? parseKubeVersion(known, `latest ${key} patch`).version : `${key}.x`;
    hops.push({ from: current, to: next, exact: Boolean(known) });
    current = next;
  }
  hops.push({ from: current, to: b.version, exact: true });
  return hops;
}

/** `1.31`: the minor a hop's `to` names, placeholder or not. */
export const hopMinor = (hop: UpgradeHop): string => hop.to.split('.').slice(0, 2).join('.');
