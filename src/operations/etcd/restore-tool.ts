/**
 * Which tool restores a snapshot on the members: the oldest member's etcd version
 * decides. `etcdutl` (3.5 and later) bumps the revision; etcd 3.4's `etcdctl` cannot.
 */

/** What restores the data dir on the members, chosen by their etcd version. */
export interface RestoreTool {
  /** `etcdutl` for etcd 3.5 and later (or an unknown version); `etcdctl` for 3.4 and older. */
  command: 'etcdutl' | 'etcdctl';
  /** `--bump-revision … --mark-compacted` (etcdutl only: etcd 3.4's etcdctl has neither). */
  bumpsRevision: boolean;
  /** The oldest version the members run, when known. */
  etcdVersion?: string;
  versionFrom: 'live members' | 'snapshot metadata' | 'unknown';
  /** Every distinct version seen (more than one: mid-upgrade). */
  versions: string[];
}

/** 3.4.23 → [3, 4, 23]; undefined when it is no version. */
const versionParts = (v: string) => {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
};
const compareVersions = (a: number[], b: number[]) =>
  (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0) || (a[2] ?? 0) - (b[2] ?? 0);

/** The oldest member decides: etcdctl 3.4's restore also works for a 3.5 member. */
export function chooseRestoreTool(liveVersions: string[], metaVersion?: string): RestoreTool {
  const versionFrom = liveVersions.length
    ? 'live members'
    : metaVersion
      ? 'snapshot metadata'
      : 'unknown';
  const seen = liveVersions.length ? liveVersions : metaVersion ? [metaVersion] : [];
  const versions = [...new Set(seen)];
  const known = versions
    .map((v) => ({ v, parts: versionParts(v) }))
    .filter((x): x is { v: string; parts: number[] } => x.parts !== undefined)
    .sort((a, b) => compareVersions(a.parts, b.parts));
  const oldest = known[0];
  if (!oldest) return { command: 'etcdutl', bumpsRevision: true, versionFrom: 'unknown', versions };
  const modern = compareVersions(oldest.parts, [3, 5, 0]) >= 0;
  return {
    command: modern ? 'etcdutl' : 'etcdctl',
    bumpsRevision: modern,
    etcdVersion: oldest.v,
    versionFrom,
    versions,
  };
}
