/**
 * Kubernetes versions as the cluster and the operator write them — `v1.31.4`, `1.31.4`,
 * `v1.31.4+k3s1`, `1.32.0-rc.1`, or an image `registry.k8s.io/kube-apiserver:v1.31.4` —
 * parsed with semver, and minor arithmetic for the skew policy.
 */
import { parse, type SemVer } from 'semver';
import { QuorumError } from '../../domain/errors.js';
import { imageTag } from '../../domain/kube.js';

export type { SemVer } from 'semver';
export { imageTag };

/** A version, or the tag of an image, parsed; undefined when it is neither. */
export function tryParseKubeVersion(text: string): SemVer | undefined {
  const t = text.trim();
  const candidate = /[/:]/.test(t) ? imageTag(t) : t;
  return candidate ? (parse(candidate) ?? undefined) : undefined;
}

/** A version the operator gave (`--to`, `/k8s-upgrade-check VERSION`): a USAGE error when it is not one. */
export function parseKubeVersion(text: string, what = 'version'): SemVer {
  const v = tryParseKubeVersion(text);
  if (v) return v;
  const minorOnly = /^v?(\d+)\.(\d+)$/.exec(text.trim());
  throw new QuorumError(
    'USAGE',
    `The ${what} "${text}" is not a Kubernetes version: write MAJOR.MINOR.PATCH, e.g. v1.31.4.`,
    minorOnly
      ? `Give the patch too. The latest ${minorOnly[1]}.${minorOnly[2]} patch: curl -fsSL https://dl.k8s.io/release/stable-${minorOnly[1]}.${minorOnly[2]}.txt`
      : 'Write it as v1.31.4 or 1.31.4 (a release candidate as v1.32.0-rc.1).',
  );
}

/** How many minors `a` is ahead of `b` (negative when behind). A major step counts as 100. */
export function minorsAhead(a: SemVer, b: SemVer): number {
  return (a.major - b.major) * 100 + (a.minor - b.minor);
}

/** `1.31`. */
export const minorText = (v: SemVer): string => `${v.major}.${v.minor}`;

export function oldest(versions: readonly SemVer[]): SemVer | undefined {
  return versions.reduce<SemVer | undefined>((a, v) => (!a || v.compare(a) < 0 ? v : a), undefined);
}

export function newest(versions: readonly SemVer[]): SemVer | undefined {
  return versions.reduce<SemVer | undefined>((a, v) => (!a || v.compare(a) > 0 ? v : a), undefined);
}
