/**
 * The few etcd metrics the check reads, from the Prometheus text format.
 * Only the families named below are parsed; everything else is skipped.
 */
import type { EtcdMetrics, HistogramSample, LatencySample } from '../../domain/etcd.js';

interface Sample {
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Samples of the wanted metric names (histogram buckets by their `_bucket` name). */
export function parsePrometheusText(
  text: string,
  wanted: ReadonlySet<string>,
): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m || !wanted.has(m[1] as string)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(LABEL)) labels[l[1] as string] = l[2] as string;
    const value = Number(m[4]);
    const list = out.get(m[1] as string) ?? [];
    list.push({ labels, value });
    out.set(m[1] as string, list);
  }
  return out;
}

interface Bucket {
  le: number;
  count: number;
}

/**
 * Prometheus' histogram_quantile over cumulative buckets: linear interpolation
 * inside the bucket that holds the rank. Undefined when there are no observations.
 */
export function histogramQuantile(q: number, buckets: readonly Sample[]): number | undefined {
  return quantileOfBuckets(q, sortedBuckets(buckets));
}

/** histogramQuantile of a HistogramSample (a window's bucket deltas, or a whole lifetime). */
export function sampleQuantile(q: number, h: HistogramSample): number | undefined {
  const finite = h.le.map((le, i) => ({ le, count: h.cumulative[i] ?? 0 }));
  return quantileOfBuckets(q, [...finite, { le: Infinity, count: h.count }]);
}

/** The buckets of one histogram as a HistogramSample; undefined without a `+Inf` bucket. */
export function toHistogramSample(buckets: readonly Sample[]): HistogramSample | undefined {
  const sorted = sortedBuckets(buckets);
  const inf = sorted.find((b) => b.le === Infinity);
  if (!inf) return undefined;
  const finite = sorted.filter((b) => b.le !== Infinity);
  return { le: finite.map((b) => b.le), cumulative: finite.map((b) => b.count), count: inf.count };
}

function sortedBuckets(buckets: readonly Sample[]): Bucket[] {
  return buckets
    .map((b) => ({ le: b.labels.le === '+Inf' ? Infinity : Number(b.labels.le), count: b.value }))
    .filter((b) => !Number.isNaN(b.le))
    .sort((a, b) => a.le - b.le);
}

function quantileOfBuckets(q: number, sorted: readonly Bucket[]): number | undefined {
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe; // as Prometheus: the highest finite bound
      const inBucket = b.count - prevCount;
      return inBucket === 0 ? b.le : prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

const NAMES = {
  wal: 'etcd_disk_wal_fsync_duration_seconds_bucket',
  commit: 'etcd_disk_backend_commit_duration_seconds_bucket',
  leaderChanges: 'etcd_server_leader_changes_seen_total',
  hasLeader: 'etcd_server_has_leader',
  quota: 'etcd_server_quota_backend_bytes',
  start: 'process_start_time_seconds',
} as const;
const WANTED = new Set<string>(Object.values(NAMES));

export function readEtcdMetrics(text: string, nowMs: number): EtcdMetrics {
  const s = parsePrometheusText(text, WANTED);
  const first = (name: string) => s.get(name)?.[0]?.value;
  const p99 = (name: string) => {
    const v = histogramQuantile(0.99, s.get(name) ?? []);
    return v === undefined ? undefined : v * 1_000;
  };
  const start = first(NAMES.start);
  const hasLeader = first(NAMES.hasLeader);
  return {
    walFsyncP99Ms: p99(NAMES.wal),
    backendCommitP99Ms: p99(NAMES.commit),
    leaderChanges: first(NAMES.leaderChanges),
    hasLeader: hasLeader === undefined ? undefined : hasLeader === 1,
    quotaBackendBytes: first(NAMES.quota),
    uptimeSeconds: start === undefined ? undefined : Math.max(0, nowMs / 1_000 - start),
  };
}

/** The disk-latency histograms in a /metrics text, read at `atMs`: one end of a latency window. */
export function readLatencySample(text: string, atMs: number): LatencySample {
  const s = parsePrometheusText(text, WANTED);
  return {
    at: atMs,
    processStart: s.get(NAMES.start)?.[0]?.value,
    walFsync: toHistogramSample(s.get(NAMES.wal) ?? []),
    backendCommit: toHistogramSample(s.get(NAMES.commit) ?? []),
  };
}
