/**
 * The etcd version kubeadm deploys with each Kubernetes minor, and the rules for moving
 * etcd between minors. kubeadm's table is `SupportedEtcdVersion` in
 * kubernetes/kubernetes cmd/kubeadm/app/constants/constants.go; it is changed by
 * backports, so the value for a minor is that of its newest kubeadm patch that was
 * checked. Entries not checked against a released kubeadm say so (`confirmed: false`).
 */
import { parse, type SemVer } from 'semver';
import { imageTag } from './kube-version.js';

export interface KubeadmEtcd {
  /** Kubernetes minor, `1.31`. */
  kube: string;
  /** etcd version, without kubeadm's image revision (`3.5.24`, not `3.5.24-0`). */
  etcd: string;
  confirmed: boolean;
  source: string;
}

export const KUBEADM_ETCD: readonly KubeadmEtcd[] = [
  {
    kube: '1.29',
    etcd: '3.5.16',
    confirmed: false,
    source:
      'kubeadm 1.31/1.32 tables listed 1.29 at 3.5.16 before the 3.5.24 backport; release-1.29 itself not checked',
  },
  {
    kube: '1.30',
    etcd: '3.5.16',
    confirmed: false,
    source: 'as for 1.29; release-1.30 itself not checked',
  },
  {
    kube: '1.31',
    etcd: '3.5.24',
    confirmed: true,
    source: 'kubernetes/kubernetes#135020 (release-1.31 backport to 3.5.24)',
  },
  {
    kube: '1.32',
    etcd: '3.5.24',
    confirmed: true,
    source: 'kubernetes/kubernetes#135019 (release-1.32 backport to 3.5.24)',
  },
  {
    kube: '1.33',
    etcd: '3.5.24',
    confirmed: true,
    source: 'kubernetes/kubernetes#135018 (release-1.33 backport to 3.5.24)',
  },
  {
    kube: '1.34',
    etcd: '3.6.5',
    confirmed: true,
    source: 'release-1.34 constants.go (34: 3.6.5-0); kubernetes/kubeadm#3247',
  },
  {
    kube: '1.35',
    etcd: '3.6.6',
    confirmed: false,
    source:
      'kubernetes/kubernetes#135271 (master during 1.35, 3.6.5 → 3.6.6); later patches may differ',
  },
  {
    kube: '1.36',
    etcd: '3.6.9',
    confirmed: false,
    source: 'master during 1.36 (3.6.8 → 3.6.9); needs confirmation against the release',
  },
];

export interface ExpectedEtcd {
  kube: string;
  etcd: SemVer;
  confirmed: boolean;
  /** The minor is not in the table: the nearest entry was taken (as kubeadm itself does). */
  nearest: boolean;
  source: string;
}

const minorNumber = (minor: string) => Number(minor.split('.')[1]);

/** The etcd version kubeadm deploys for Kubernetes `kube` (`1.31`, `1.31.4`). */
export function expectedEtcd(kube: string): ExpectedEtcd {
  const minor = minorNumber(kube);
  const exact = KUBEADM_ETCD.find((e) => minorNumber(e.kube) === minor);
  const first = KUBEADM_ETCD[0]!;
  const last = KUBEADM_ETCD[KUBEADM_ETCD.length - 1]!;
  const entry = exact ?? (minor < minorNumber(first.kube) ? first : last);
  return {
    kube: kube.split('.').slice(0, 2).join('.'),
    etcd: parse(entry.etcd)!,
    confirmed: Boolean(exact) && entry.confirmed,
    nearest: !exact,
    source: entry.source,
  };
}

/** `3.5.16`, `v3.5.16`, kubeadm's `3.5.16-0`, or an image `registry.k8s.io/etcd:3.5.16-0`. */
export function parseEtcdVersion(text: string): SemVer | undefined {
  const t = text.trim();
  const candidate = /[/:]/.test(t) ? imageTag(t) : t;
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(candidate ?? '');
  return m ? (parse(`${m[1]}.${m[2]}.${m[3]}`) ?? undefined) : undefined;
}

/** What every member must run before etcd may move to the next minor. */
export interface MinorStepRule {
  from: string;
  to: string;
  minimum: string;
  /** Newer advice than `minimum`, shown as a warning. */
  recommended?: string;
  why: string;
}

export const ETCD_MINOR_STEPS: readonly MinorStepRule[] = [
  {
    from: '3.5',
    to: '3.6',
    minimum: '3.5.26',
    recommended: '3.5.32',
    why: 'etcd 3.5.24–3.5.26 fix upgrade blockers (learner and zombie members: https://etcd.io/blog/2025/zombie_members_upgrade/); the 3.6 upgrade guide asks for 3.5.26 or later, and since August 2026 recommends 3.5.32 (etcd-io/website#1203)',
  },
];

export type EtcdMove =
  | { kind: 'same' }
  | { kind: 'newer' }
  | { kind: 'patch' }
  | { kind: 'minor'; rule?: MinorStepRule; behind: SemVer[]; belowRecommended: SemVer[] }
  | { kind: 'skip'; minors: number };

/**
 * How etcd must move from the members' versions to `expected`: nothing, a patch,
 * one minor (with the members still below that step's minimum), or a skipped minor
 * (not supported by etcd: one minor at a time).
 */
export function etcdMove(members: readonly SemVer[], expected: SemVer): EtcdMove {
  const lowest = members.reduce<SemVer | undefined>(
    (a, v) => (!a || v.compare(a) < 0 ? v : a),
    undefined,
  );
  if (!lowest) return { kind: 'same' };
  const minors = (expected.major - lowest.major) * 100 + (expected.minor - lowest.minor);
  if (minors > 1) return { kind: 'skip', minors };
  if (minors === 1) {
    const rule = ETCD_MINOR_STEPS.find(
      (r) =>
        r.from === `${lowest.major}.${lowest.minor}` &&
        r.to === `${expected.major}.${expected.minor}`,
    );
    const below = (v: string) =>
      members.filter(
        (m) => m.major === lowest.major && m.minor === lowest.minor && m.compare(v) < 0,
      );
    return {
      kind: 'minor',
      ...(rule ? { rule } : {}),
      behind: rule ? below(rule.minimum) : [],
      belowRecommended: rule?.recommended ? below(rule.recommended) : [],
    };
  }
  if (minors < 0 || members.every((m) => m.compare(expected) > 0)) return { kind: 'newer' };
  return lowest.compare(expected) < 0 ? { kind: 'patch' } : { kind: 'same' };
}
