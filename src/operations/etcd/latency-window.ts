/**
 * Disk latency from a recent window, as the etcd mixin judges it
 * (`histogram_quantile(0.99, rate(etcd_disk_wal_fsync_duration_seconds_bucket[5m]))`):
 * the p99 of the observations made BETWEEN two samples of a member's cumulative
 * histograms, bucket by bucket. A member's lifetime histogram keeps one slow minute
 * at boot for ever; the difference of two samples forgets it.
 */
import type {
  HistogramSample,
  LatencySample,
  LatencyWindow,
  WindowQuantile,
} from '../../domain/etcd.js';
import { sampleQuantile } from './metrics.js';

/**
 * The observations made between `before` and `after`, bucket by bucket. Undefined when
 * that is no window: the buckets differ, or a count went down (the counters restarted).
 */
export function histogramDelta(
  before: HistogramSample,
  after: HistogramSample,
): HistogramSample | undefined {
  const sameBounds =
    before.le.length === after.le.length && before.le.every((le, i) => le === after.le[i]);
  if (!sameBounds || after.count < before.count) return undefined;
  const cumulative: number[] = [];
  for (const [i, c] of after.cumulative.entries()) {
    const d = c - (before.cumulative[i] ?? 0);
    if (d < 0) return undefined;
    cumulative.push(d);
  }
  return { le: [...after.le], cumulative, count: after.count - before.count };
}

/** p99 (ms) of the observations between two samples of one histogram; 0 observations when there is no window. */
export function windowQuantile(before?: HistogramSample, after?: HistogramSample): WindowQuantile {
  const delta = before && after ? histogramDelta(before, after) : undefined;
  if (!delta) return { observations: 0 };
  const p99 = sampleQuantile(0.99, delta);
  return { observations: delta.count, p99Ms: p99 === undefined ? undefined : p99 * 1_000 };
}

/** Why `earlier` cannot start a window that ends at `later`, or undefined when it can. */
export function unusableBase(earlier: LatencySample, later: LatencySample): string | undefined {
  if (earlier.at >= later.at) return 'the kept sample is not older than this check';
  const restarted =
    (earlier.processStart !== undefined &&
      later.processStart !== undefined &&
      earlier.processStart !== later.processStart) ||
    (['walFsync', 'backendCommit'] as const).some((k) => {
      const a = earlier[k];
      const b = later[k];
      return a !== undefined && b !== undefined && histogramDelta(a, b) === undefined;
    });
  return restarted
    ? 'the member restarted since the previous check (its counters went back), so only this check’s own window counts'
    : undefined;
}

/**
 * The window ending at `last`: from the previous check's sample when it is usable
 * (minutes), else from this check's first read (`first`, seconds).
 */
export function latencyWindow(
  first: LatencySample,
  last: LatencySample,
  previous?: LatencySample,
): LatencyWindow {
  const why = previous ? unusableBase(previous, last) : 'no earlier sample';
  const fromPrevious = previous !== undefined && why === undefined;
  const base = fromPrevious ? previous : first;
  return {
    from: base.at,
    to: last.at,
    base: fromPrevious ? 'previous-check' : 'this-check',
    ...(previous && why ? { note: why } : {}),
    walFsync: windowQuantile(base.walFsync, last.walFsync),
    backendCommit: windowQuantile(base.backendCommit, last.backendCommit),
  };
}
