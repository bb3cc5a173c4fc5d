/** Rules about how the members run: versions, disk latency, leader changes. */
import { formatDuration } from '../../../domain/units.js';
import type { Finding } from '../../../domain/report.js';
import { label, type CheckFacts } from './facts.js';
import { diskLatencyFindings } from './latency.js';

export function versionFindings(f: CheckFacts): Finding[] {
  const versions = new Map<string, string[]>();
  for (const p of f.probes)
    if (p.status)
      versions.set(p.status.version, [...(versions.get(p.status.version) ?? []), label(f, p)]);
  if (versions.size <= 1) {
    const v = [...versions.keys()][0];
    return v
      ? [{ id: 'etcd.versions', severity: 'ok', title: `etcd ${v} on every checked member` }]
      : [];
  }
  return [
    {
      id: 'etcd.versions',
      severity: 'warn',
      title: `Members run different etcd versions: ${[...versions.keys()].join(', ')}`,
      detail: [...versions.entries()].map(([v, ms]) => `${v}: ${ms.join(', ')}`).join('; '),
      remedy:
        'Finish the rolling upgrade (one member at a time, checking health between) before other maintenance.',
    },
  ];
}

export function latencyFindings(f: CheckFacts): Finding[] {
  const t = f.thresholds;
  const out: Finding[] = [];
  const missing = f.probes.filter((p) => p.status && !p.metrics);
  if (missing.length) {
    out.push({
      id: 'etcd.metrics.unavailable',
      severity: 'info',
      title: `Metrics not read from ${missing.map((p) => label(f, p)).join(', ')}`,
      detail: missing.map((p) => p.metricsError).join('; '),
      remedy:
        'Latency checks need /metrics: on the client URL, or set etcd.metricsUrls (etcd --listen-metrics-urls).',
    });
  }
  out.push(...diskLatencyFindings(f));
  for (const p of f.probes.filter((x) => x.metrics)) {
    const m = p.metrics!;
    if (m.hasLeader === false) {
      out.push({
        id: 'etcd.metrics.has-leader',
        severity: 'crit',
        title: `${label(f, p)} reports no leader (etcd_server_has_leader 0)`,
        remedy: 'See the leader finding; check the peer network from this member.',
      });
    }
    if (m.leaderChanges !== undefined && m.leaderChanges >= t.leaderChangesWarn) {
      out.push({
        id: 'etcd.leader.changes',
        severity: 'warn',
        title: `${label(f, p)} has seen ${m.leaderChanges} leader changes since it started${m.uptimeSeconds !== undefined ? ` ${formatDuration(m.uptimeSeconds * 1000)} ago` : ''}`,
        remedy:
          'Frequent elections mean slow disks, CPU starvation or a flaky peer network; compare with the latency findings.',
      });
    }
  }
  return out;
}

/** Every rule, in the order the report lists them. */
