import { describe, expect, it } from 'vitest';
import type { HistogramSample, LatencySample } from '../../src/domain/etcd.js';
import {
  histogramDelta,
  latencyWindow,
  unusableBase,
  windowQuantile,
} from '../../src/operations/etcd/latency-window.js';
import { readLatencySample, sampleQuantile } from '../../src/operations/etcd/metrics.js';

// Bounds as etcd's WAL fsync histogram: 1 ms doubling (seconds).
const LE = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024];
/** A cumulative histogram from per-bucket counts (the last one is `+Inf`). */
const hist = (perBucket: number[]): HistogramSample => {
  let sum = 0;
  const cumulative = LE.map((_, i) => (sum += perBucket[i] ?? 0));
  return { le: [...LE], cumulative, count: sum + (perBucket[LE.length] ?? 0) };
};
const sample = (at: number, wal: number[], commit = wal, processStart = 1_000): LatencySample => ({
  at,
  processStart,
  walFsync: hist(wal),
  backendCommit: hist(commit),
});
const plus = (a: number[], b: number[]) => a.map((x, i) => x + (b[i] ?? 0));

// A slow boot: 1000 fsyncs around 0.5–1 s. Afterwards only fast ones, 1–2 ms.
const SLOW_BOOT = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1_000, 0];
const FAST = [0, 500, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

describe('disk latency over a window', () => {
  it('is the p99 of the bucket deltas, not of the lifetime', () => {
    const before = hist(SLOW_BOOT);
    const after = hist(plus(SLOW_BOOT, FAST));
    // Lifetime: two thirds of the observations are slow, p99 near 1 s.
    expect(sampleQuantile(0.99, after)! * 1_000).toBeGreaterThan(500);
    const delta = histogramDelta(before, after)!;
    expect(delta.count).toBe(500);
    expect(delta.cumulative.at(-1)).toBe(500);
    expect(delta.cumulative[0]).toBe(0);
    // All 500 in (1 ms, 2 ms]: rank 495 → 1 + 495/500 ms.
    const q = windowQuantile(before, after);
    expect(q.observations).toBe(500);
    expect(q.p99Ms).toBeCloseTo(1.99, 6);
  });

  it('has no window when the counters went down (a restart) or the buckets differ', () => {
    const before = hist(plus(SLOW_BOOT, FAST));
    const restarted = hist(FAST);
    expect(histogramDelta(before, restarted)).toBeUndefined();
    expect(windowQuantile(before, restarted)).toEqual({ observations: 0 });
    const otherBounds = { ...restarted, le: restarted.le.map((x) => x * 2) };
    expect(histogramDelta(hist(FAST), otherBounds)).toBeUndefined();
    // One bucket lower even though the total grew: still a reset.
    const shifted = hist([0, 0, 2_000, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(histogramDelta(hist(FAST), shifted)).toBeUndefined();
  });

  it('starts at the previous check’s sample when it is usable, else at this check’s first read', () => {
    const previous = sample(10_000, SLOW_BOOT);
    const first = sample(250_000, plus(SLOW_BOOT, FAST));
    const last = sample(250_300, plus(SLOW_BOOT, plus(FAST, FAST)));
    const w = latencyWindow(first, last, previous);
    expect(w).toMatchObject({ from: 10_000, to: 250_300, base: 'previous-check' });
    expect(w.note).toBeUndefined();
    expect(w.walFsync.observations).toBe(1_000);
    expect(w.walFsync.p99Ms).toBeLessThan(2);

    // Without a kept sample: the check's own two reads.
    expect(latencyWindow(first, last)).toMatchObject({
      from: 250_000,
      base: 'this-check',
      walFsync: { observations: 500 },
    });
  });

  it('a restarted member (counts went down, or a new process start) uses only the in-check window', () => {
    const previous = sample(10_000, plus(SLOW_BOOT, FAST));
    const first = sample(250_000, FAST);
    const last = sample(250_300, plus(FAST, [0, 30]));
    const w = latencyWindow(first, last, previous);
    expect(w).toMatchObject({ from: 250_000, base: 'this-check', walFsync: { observations: 30 } });
    expect(w.note).toMatch(/restarted/);

    // Counts higher than before, but another process: also a restart.
    const again = sample(10_000, [0, 1], [0, 1], 999);
    expect(unusableBase(again, last)).toMatch(/restarted/);
    expect(unusableBase(sample(300_000, FAST), last)).toMatch(/not older/);
  });

  it('reads the histograms from /metrics text', () => {
    const text = [
      'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} 2',
      'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.002"} 5',
      'etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} 6',
      'etcd_disk_wal_fsync_duration_seconds_count 6',
      'process_start_time_seconds 1.7e9',
    ].join('\n');
    expect(readLatencySample(text, 42)).toEqual({
      at: 42,
      processStart: 1.7e9,
      walFsync: { le: [0.001, 0.002], cumulative: [2, 5], count: 6 },
      backendCommit: undefined,
    });
  });
});
