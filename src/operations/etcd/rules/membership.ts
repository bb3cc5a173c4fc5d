/** Rules about who is in the cluster and whether it can decide: reachability, membership, quorum, leader. */
import { memberOfProbe } from '../../../domain/etcd.js';
import type { MemberInfo } from '../../../domain/etcd.js';
import type { Finding } from '../../../domain/report.js';
import { label, memberName, NO_LEADER, type CheckFacts } from './facts.js';

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
