/**
 * The etcd check's named numbers (Report.metrics), for runbook steps' `when:`: the
 * worst member's database size against the quota, the worst member's reclaimable share
 * of its file, and how many alarms are raised. Only what was observed: with no member
 * status there is no size, with the alarms unread there is no alarm count.
 */
import type { CheckFacts } from './facts.js';

export function checkMetrics(f: CheckFacts): Record<string, number> {
  const metrics: Record<string, number> = {};
  const statuses = f.probes.flatMap((p) => (p.status ? [p.status] : []));
  if (statuses.length && f.quota.bytes > 0) {
    const largest = Math.max(...statuses.map((s) => s.dbSize));
    metrics['etcd.db.quota.percent'] = (largest / f.quota.bytes) * 100;
  }
  const files = statuses.filter((s) => s.dbSize > 0);
  if (files.length) {
    const reclaimable = files.map((s) => Math.max(0, s.dbSize - s.dbSizeInUse) / s.dbSize);
    metrics['etcd.db.fragmented.percent'] = Math.max(...reclaimable) * 100;
  }
  if (f.view.alarms) metrics['etcd.alarms.count'] = f.view.alarms.length;
  return metrics;
}
