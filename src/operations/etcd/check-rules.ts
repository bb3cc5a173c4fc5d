/**
 * The etcd health rules: pure functions from what the probes saw to findings.
 * Thresholds follow the etcd docs and the upstream etcd mixin's alerts.
 */
import type { Finding } from '../../domain/report.js';
import { formatBytes, formatDuration } from '../../config/units.js';
import type { Thresholds } from '../../config/schema.js';
import { memberOfProbe, probeLabel } from '../../domain/etcd.js';
import type { ClusterView, MemberInfo, MemberProbe, QuotaSource } from '../../domain/etcd.js';

export interface CheckFacts {
  probes: MemberProbe[];
  view: ClusterView;
  quota: QuotaSource;
  thresholds: Thresholds;
}

const NO_LEADER = '0000000000000000';
const GiB = 2 ** 30;

/** Member names by ID, for messages. */
export function memberName(view: ClusterView, id: string): string {
  return view.members?.find((m) => m.id === id)?.name || id;
}
const label = (f: CheckFacts, p: MemberProbe) => probeLabel(f.view, p);

export function reachabilityFindings(f: CheckFacts): Finding[] {
  return f.probes
    .filter((p) => !p.status || !p.healthy)
    .map((p) => ({
      id: 'etcd.member.unhealthy',
      severity: 'warn' as const,
      title: `${label(f, p)} is ${p.status ? 'reachable but not healthy' : 'unreachable'}`,
      detail: p.statusError ?? p.healthError,
      remedy: p.status
        ? 'A member that answers status but not a linearizable read has no leader or no quorum: see the quorum and leader findings.'
        : `On that node: \`systemctl status etcd\` or \`crictl ps -a --name etcd\` (kubeadm static pod), then \`journalctl -u etcd\` / \`crictl logs\`. Check the URL, the firewall and the TLS files.`,
    }));
}

export function membershipFindings(f: CheckFacts): Finding[] {
  const members = f.view.members;
  if (!members) {
    return [
      {
        id: 'etcd.members',
        severity: 'crit',
        title: 'The member list could not be read',
        detail: f.view.membersError,
      },
    ];
  }
  const out: Finding[] = [];
  const probed = new Set(f.probes.map((p) => memberOfProbe(f.view, p)?.id));
  for (const p of f.probes) {
    if (p.status && !members.some((m) => m.id === p.status?.memberId)) {
      out.push({
        id: 'etcd.members.foreign',
        severity: 'warn',
        title: `${p.endpoint} answers as member ${p.status.memberId}, which is not in the member list`,
        remedy:
          'The endpoint belongs to another cluster or a removed member: fix ETCDCTL_ENDPOINTS (or etcd.endpoints in the config).',
      });
    }
  }
  const unchecked = members.filter((m) => !probed.has(m.id));
  for (const m of unchecked) {
    out.push({
      id: 'etcd.members.unchecked',
      severity: 'warn',
      title: `Member ${m.name || m.id} is not among the configured endpoints and was not checked`,
      detail: `Its client URLs: ${m.clientUrls.join(', ') || '(none: never started)'}`,
      remedy: `Add ${m.clientUrls[0] ?? 'its client URL'} to ETCDCTL_ENDPOINTS (or etcd.endpoints in the config).`,
    });
  }
  return out;
}

export function quorumFindings(f: CheckFacts): Finding[] {
  const voters: MemberInfo[] = (f.view.members ?? []).filter((m) => !m.isLearner);
  const n = voters.length || f.probes.length;
  const need = Math.floor(n / 2) + 1;
  const healthyIds = new Set(
    f.probes.filter((p) => p.healthy && p.status).map((p) => p.status!.memberId),
  );
  const healthy = voters.length
    ? voters.filter((m) => healthyIds.has(m.id)).length
    : healthyIds.size;
  const checked = new Set(f.probes.map((p) => memberOfProbe(f.view, p)?.id));
  const unknown = voters.filter((m) => !checked.has(m.id)).length;
  const out: Finding[] = [];
  const counts = `${healthy} of ${n} voting members healthy${unknown ? ` (${unknown} not checked)` : ''}; quorum needs ${need}`;
  if (!f.probes.some((p) => p.healthy)) {
    out.push({
      id: 'etcd.quorum',
      severity: 'crit',
      title: 'Quorum lost: no member can serve a linearizable read',
      detail: counts,
      remedy:
        'The Kubernetes API cannot write. Bring stopped members back first (on each control-plane node: `systemctl start etcd` or restore the static pod manifest in /etc/kubernetes/manifests). If a majority is gone for good, restore from a snapshot: `quorum etcd restore-plan <snapshot-id>`.',
    });
  } else if (healthy + unknown - need <= 0 && n > 1) {
    out.push({
      id: 'etcd.quorum',
      severity: 'warn',
      title: 'Quorum at risk: one more member failure loses it',
      detail: counts,
      remedy: 'Bring the unhealthy members back before any maintenance, reboot or upgrade.',
    });
  } else if (n === 1) {
    out.push({
      id: 'etcd.quorum',
      severity: 'info',
      title: 'Single-member cluster: it tolerates no failure',
      detail: counts,
      remedy: 'For production, run 3 or 5 members.',
    });
  } else {
    out.push({
      id: 'etcd.quorum',
      severity: 'ok',
      title: `Quorum healthy: tolerates ${healthy - need} more failure(s)`,
      detail: counts,
    });
  }
  if (n > 1 && n % 2 === 0) {
    out.push({
      id: 'etcd.quorum.even',
      severity: 'warn',
      title: `${n} voting members: an even count tolerates no more failures than ${n - 1}`,
      remedy: `Run an odd number of members (${n - 1} or ${n + 1}).`,
    });
  }
  return out;
}

export function leaderFindings(f: CheckFacts): Finding[] {
  const seen = f.probes.filter((p) => p.status);
  if (seen.length === 0) return [];
  const leaders = new Set(seen.map((p) => p.status!.leader).filter((l) => l !== NO_LEADER));
  const terms = new Set(seen.map((p) => p.status!.raftTerm));
  const out: Finding[] = [];
  if (leaders.size === 0) {
    out.push({
      id: 'etcd.leader',
      severity: 'crit',
      title: 'No leader: the cluster cannot serve writes',
      detail: `Seen by ${seen.map((p) => label(f, p)).join(', ')}`,
      remedy:
        'A leader needs a quorum of members that reach each other on their peer URLs: check that the members run, and the peer network and certificates (port 2380).',
    });
  } else if (leaders.size > 1) {
    out.push({
      id: 'etcd.leader',
      severity: 'crit',
      title: 'Members disagree on the leader',
      detail: seen
        .map((p) => `${label(f, p)} → ${memberName(f.view, p.status!.leader)}`)
        .join('; '),
      remedy:
        'An election is under way or the peer network is partitioned. Run the check again; if it persists, check the peer network between the members.',
    });
  } else {
    const leader = [...leaders][0] as string;
    out.push({
      id: 'etcd.leader',
      severity: 'ok',
      title: `Leader: ${memberName(f.view, leader)}`,
      detail: `raft term ${[...terms].join(', ')}`,
    });
  }
  if (terms.size > 1) {
    out.push({
      id: 'etcd.leader.term',
      severity: 'warn',
      title: `Members are on different raft terms (${[...terms].sort().join(', ')})`,
      remedy:
        "A member is catching up after an election or cannot hear the leader: run the check again, and look at that member's log.",
    });
  }
  return out;
}

export const NOSPACE_REMEDY = [
  'The cluster is read-only until the space is freed. In order:',
  '1. compact to the current revision:   quorum etcd compact        (or: etcdctl compact <revision>)',
  '2. defragment each member, leader last: quorum etcd defrag       (or: etcdctl defrag --endpoints=<one member>)',
  '3. disarm the alarm:                  quorum etcd alarms disarm  (or: etcdctl alarm disarm)',
  'If the database is still near the quota afterwards, find what grows (events, leases) or raise --quota-backend-bytes (at most 8 GiB).',
].join('\n');

export function alarmFindings(f: CheckFacts): Finding[] {
  if (!f.view.alarms) {
    return [
      {
        id: 'etcd.alarms',
        severity: 'warn',
        title: 'Alarms could not be read',
        detail: f.view.alarmsError,
      },
    ];
  }
  if (f.view.alarms.length === 0)
    return [{ id: 'etcd.alarms', severity: 'ok', title: 'No alarms' }];
  return f.view.alarms.map((a) => ({
    id: `etcd.alarm.${a.alarm.toLowerCase()}`,
    severity: 'crit' as const,
    title: `Alarm ${a.alarm} on ${memberName(f.view, a.memberId)}`,
    remedy:
      a.alarm === 'NOSPACE'
        ? NOSPACE_REMEDY
        : 'Data may be corrupt on that member: stop writes through it, compare HashKV (this check), then remove the member and add it back with an empty data dir, or restore from a snapshot.',
  }));
}

export function dbSizeFindings(f: CheckFacts): Finding[] {
  const t = f.thresholds;
  const out: Finding[] = [];
  const sized = f.probes.filter((p) => p.status);
  if (f.quota.bytes > 8 * GiB) {
    out.push({
      id: 'etcd.db.quota-large',
      severity: 'warn',
      title: `Backend quota ${formatBytes(f.quota.bytes)} is above the 8 GiB etcd recommends`,
      remedy:
        'Large databases make snapshots, restores and defrags slow; keep --quota-backend-bytes at 8 GiB or less.',
    });
  }
  if (sized.length === 0) return out;
  const worst = sized.reduce((a, b) => (b.status!.dbSize > a.status!.dbSize ? b : a));
  const ratio = worst.status!.dbSize / f.quota.bytes;
  const pct = `${(ratio * 100).toFixed(1)} %`;
  const detail = `${label(f, worst)}: ${formatBytes(worst.status!.dbSize)} of ${formatBytes(f.quota.bytes)} (quota from ${f.quota.source})`;
  const severity =
    ratio >= t.dbQuotaCritRatio ? 'crit' : ratio >= t.dbQuotaWarnRatio ? 'warn' : 'ok';
  out.push({
    id: 'etcd.db.quota',
    severity,
    title: `Database size at ${pct} of the quota`,
    detail,
    remedy:
      severity === 'ok'
        ? undefined
        : `When the quota is reached etcd raises NOSPACE and refuses writes. Free space now:\n${NOSPACE_REMEDY.split('\n').slice(1, 3).join('\n')}`,
  });
  return out;
}

export function fragmentationFindings(f: CheckFacts): Finding[] {
  const t = f.thresholds;
  return f.probes
    .filter(
      (p) =>
        p.status &&
        p.status.dbSizeInUse < p.status.dbSize * t.fragmentationInUseRatio &&
        p.status.dbSizeInUse > t.fragmentationMinInUse,
    )
    .map((p) => ({
      id: 'etcd.db.fragmented',
      severity: 'warn' as const,
      title: `${label(f, p)} is fragmented: ${formatBytes(p.status!.dbSizeInUse)} in use of a ${formatBytes(p.status!.dbSize)} file`,
      detail: `${formatBytes(p.status!.dbSize - p.status!.dbSizeInUse)} can be reclaimed`,
      remedy:
        'Defragment member by member, leader last, in a quiet hour: `quorum etcd defrag` (or `etcdctl defrag --endpoints=<one member>`).',
    }));
}

export function applyLagFindings(f: CheckFacts): Finding[] {
  return f.probes
    .filter(
      (p) => p.applyLag.length >= 2 && p.applyLag.every((lag) => lag > f.thresholds.applyLagWarn),
    )
    .map((p) => ({
      id: 'etcd.apply-lag',
      severity: 'warn' as const,
      title: `${label(f, p)} applies slowly: ${p.applyLag.join(' → ')} committed entries not yet applied`,
      remedy:
        "The member's disk or CPU cannot keep up: check disk latency (WAL fsync, backend commit) and load on that node.",
    }));
}

export function consistencyFindings(f: CheckFacts): Finding[] {
  const hashed = f.probes.filter((p) => p.hash);
  const failed = f.probes.filter((p) => p.status && p.hashError);
  const detail = failed.length
    ? `Not hashed: ${failed.map((p) => `${label(f, p)}: ${p.hashError}`).join('; ')}`
    : undefined;
  if (hashed.length < 2) {
    return [
      {
        id: 'etcd.consistency',
        severity: 'info',
        title: 'Consistency not compared: fewer than two members hashed',
        detail,
      },
    ];
  }
  const byCompact = new Map<number, MemberProbe[]>();
  for (const p of hashed)
    byCompact.set(p.hash!.compactRevision, [...(byCompact.get(p.hash!.compactRevision) ?? []), p]);
  const mismatched = [...byCompact.values()].filter(
    (group) => new Set(group.map((p) => p.hash!.hash)).size > 1,
  );
  if (mismatched.length) {
    return [
      {
        id: 'etcd.consistency',
        severity: 'crit',
        title: 'HashKV differs between members at the same revision: possible data corruption',
        detail: mismatched
          .flat()
          .map((p) => `${label(f, p)}: ${p.hash!.hash}`)
          .join('; '),
        remedy:
          'Stop maintenance. Take a snapshot from the member that agrees with the majority, then replace the odd member: `etcdctl member remove`, wipe its data dir, `etcdctl member add`, start it.',
      },
    ];
  }
  return [
    {
      id: 'etcd.consistency',
      severity: 'ok',
      title: `HashKV agrees on ${hashed.length} members`,
      detail,
    },
  ];
}

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
  for (const p of f.probes.filter((x) => x.metrics)) {
    const m = p.metrics!;
    const lat = (
      what: string,
      id: string,
      v: number | undefined,
      warn: number,
      crit: number,
      remedy: string,
    ) => {
      if (v === undefined || v <= warn) return;
      out.push({
        id,
        severity: v > crit ? 'crit' : 'warn',
        title: `${label(f, p)}: ${what} p99 ${v.toFixed(1)} ms (warn above ${warn} ms)`,
        remedy,
      });
    };
    const disk =
      'etcd needs a dedicated low-latency disk (SSD/NVMe); check for noisy neighbours and I/O throttling on that node.';
    lat(
      'WAL fsync',
      'etcd.latency.wal-fsync',
      m.walFsyncP99Ms,
      t.walFsyncP99Warn,
      t.walFsyncP99Crit,
      disk,
    );
    lat(
      'backend commit',
      'etcd.latency.backend-commit',
      m.backendCommitP99Ms,
      t.backendCommitP99Warn,
      t.backendCommitP99Crit,
      disk,
    );
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
  if (!out.some((x) => x.id.startsWith('etcd.latency')) && f.probes.some((p) => p.metrics)) {
    const max = (k: 'walFsyncP99Ms' | 'backendCommitP99Ms') =>
      Math.max(0, ...f.probes.map((p) => p.metrics?.[k] ?? 0));
    out.push({
      id: 'etcd.latency',
      severity: 'ok',
      title: `Disk latency p99: WAL fsync ${max('walFsyncP99Ms').toFixed(1)} ms, backend commit ${max('backendCommitP99Ms').toFixed(1)} ms`,
    });
  }
  return out;
}

/** Every rule, in the order the report lists them. */
export function checkFindings(f: CheckFacts): Finding[] {
  return [
    quorumFindings,
    leaderFindings,
    reachabilityFindings,
    membershipFindings,
    alarmFindings,
    dbSizeFindings,
    fragmentationFindings,
    applyLagFindings,
    consistencyFindings,
    versionFindings,
    latencyFindings,
  ].flatMap((rule) => rule(f));
}
