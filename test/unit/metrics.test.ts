import { describe, expect, it } from 'vitest';
import {
  histogramQuantile,
  parsePrometheusText,
  readEtcdMetrics,
} from '../../src/operations/etcd/metrics.js';

const TEXT = `# HELP etcd_disk_wal_fsync_duration_seconds The latency distributions of fsync called by WAL.
# TYPE etcd_disk_wal_fsync_duration_seconds histogram
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} 0
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.002"} 50
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.004"} 90
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.008"} 98
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.016"} 100
etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} 100
etcd_disk_wal_fsync_duration_seconds_sum 0.3
etcd_disk_wal_fsync_duration_seconds_count 100
etcd_disk_backend_commit_duration_seconds_bucket{le="0.001"} 0
etcd_disk_backend_commit_duration_seconds_bucket{le="+Inf"} 0
etcd_server_has_leader 1
etcd_server_leader_changes_seen_total 7
etcd_server_quota_backend_bytes 2.147483648e+09
process_start_time_seconds 1000
`;

describe('etcd metrics', () => {
  it('computes p99 as Prometheus histogram_quantile does', () => {
    const m = readEtcdMetrics(TEXT, 4_600_000);
    // rank 99 lies in (0.008, 0.016] holding 2 samples after 98: 0.008 + 0.008 * (1/2)
    expect(m.walFsyncP99Ms).toBeCloseTo(12, 6);
    expect(m.backendCommitP99Ms).toBeUndefined();
    expect(m.hasLeader).toBe(true);
    expect(m.leaderChanges).toBe(7);
    expect(m.quotaBackendBytes).toBe(2 ** 31);
    expect(m.uptimeSeconds).toBe(3_600);
  });

  it('answers the highest finite bound when the rank falls in +Inf', () => {
    const buckets = parsePrometheusText(
      'x_bucket{le="1"} 1\nx_bucket{le="2"} 1\nx_bucket{le="+Inf"} 10\n',
      new Set(['x_bucket']),
    ).get('x_bucket')!;
    expect(histogramQuantile(0.99, buckets)).toBe(2);
  });

  it('keeps labels with escaped quotes and skips other families', () => {
    const s = parsePrometheusText('a{x="q\\"uote",le="1"} 3\nb 4\n', new Set(['a']));
    expect(s.get('a')?.[0]).toEqual({ labels: { x: 'q\\"uote', le: '1' }, value: 3 });
    expect(s.has('b')).toBe(false);
  });
});
