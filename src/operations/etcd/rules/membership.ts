/** Rules about who is in the cluster and whether it can decide: reachability, membership, quorum, leader. */
import { memberOfProbe } from '../../../domain/etcd.js';
import type { MemberInfo, MemberProbe } from '../../../domain/etcd.js';
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

/**
 * No member answered: Quorum saw nothing of the cluster, so it cannot tell a cluster
 * that is down from a host that cannot reach it. One finding, both readings.
 */
export function noAnswerFindings(probes: readonly MemberProbe[]): Finding[] {
  const endpoints = probes.map((p) => p.endpoint).join(',');
  return [
    {
      id: 'etcd.unreachable',
      severity: 'crit',
      title: `No etcd member answered from here (${probes.length} endpoint${probes.length === 1 ? '' : 's'} tried)`,
      detail: probes.map((p) => `${p.endpoint}: ${p.statusError ?? 'no answer'}`).join('\n'),
      remedy: [
        'Quorum cannot tell from here whether etcd is down or out of reach. Either:',
        `1. This host cannot reach it: check the endpoints (now ETCDCTL_ENDPOINTS=${endpoints}; https:// when etcd serves TLS), the TLS files (ETCDCTL_CACERT, ETCDCTL_CERT, ETCDCTL_KEY), and the network to the client port: \`etcdctl --endpoints=${endpoints} endpoint health\` from this host.`,
        '2. The cluster is down: on each control-plane node `crictl ps -a --name etcd` (kubeadm static pod) or `systemctl status etcd`, then its logs; `quorum runbook show etcd-no-leader` walks the rest.',
      ].join('\n'),
    },
  ];
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
  // Voting members left out are named by the quorum finding; learners here.
  const unchecked = members.filter((m) => m.isLearner && !probed.has(m.id));
  for (const m of unchecked) {
    out.push({
      id: 'etcd.members.unchecked',
      severity: 'warn',
      title: `Learner ${m.name || m.id} is not among the configured endpoints and was not checked`,
      detail: `Its client URLs: ${m.clientUrls.join(', ') || '(none: never started)'}`,
      remedy: `Add ${m.clientUrls[0] ?? 'its client URL'} to ETCDCTL_ENDPOINTS (or etcd.endpoints in the config).`,
    });
  }
  return out;
}

export function quorumFindings(f: CheckFacts): Finding[] {
  const voters: MemberInfo[] = (f.view.members ?? []).filter((m) => !m.isLearner);
  const n = voters.length;
  const need = Math.floor(n / 2) + 1;
  const healthyIds = new Set(
    f.probes.filter((p) => p.healthy && p.status).map((p) => p.status!.memberId),
  );
  const healthy = voters.filter((m) => healthyIds.has(m.id)).length;
  const checked = new Set(f.probes.map((p) => memberOfProbe(f.view, p)?.id));
  const unchecked = voters.filter((m) => !checked.has(m.id));
  const counts = `${healthy} of ${n} voting members healthy${unchecked.length ? ` (${unchecked.length} not checked)` : ''}; quorum needs ${need}`;
  const out: Finding[] = [];
  if (!f.probes.some((p) => p.healthy)) {
    out.push({
      id: 'etcd.quorum',
      severity: 'crit',
      title: 'Quorum lost: no member can serve a linearizable read',
      detail: n ? counts : f.view.membersError,
      remedy:
        'The Kubernetes API cannot write. Bring stopped members back first (on each control-plane node: `systemctl start etcd` or restore the static pod manifest in /etc/kubernetes/manifests). If a majority is gone for good, restore from a snapshot: `quorum etcd restore-plan <snapshot-id>`.',
    });
  } else if (n === 0) {
    out.push({
      id: 'etcd.quorum',
      severity: 'warn',
      title: 'Quorum not judged: the member list could not be read',
      detail: f.view.membersError,
      remedy:
        'Quorum counts voting members from the member list: run `etcdctl member list` with the same endpoints and credentials to see why it fails.',
    });
  } else if (unchecked.length) {
    out.push(partialViewFinding(f, unchecked, n, counts));
  } else if (healthy - need <= 0 && n > 1) {
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

/**
 * Some voting members were not among the endpoints checked: Quorum cannot know how
 * many failures the cluster tolerates, so it says who was left out and how to include them.
 */
function partialViewFinding(
  f: CheckFacts,
  unchecked: MemberInfo[],
  voters: number,
  counts: string,
): Finding {
  const names = unchecked.map(
    (m) => `${m.name || m.id} (${m.clientUrls.join(', ') || 'no client URL: never started'})`,
  );
  const endpoints = [
    ...new Set([...f.probes.map((p) => p.endpoint), ...unchecked.flatMap((m) => m.clientUrls)]),
  ].join(',');
  return {
    id: 'etcd.quorum',
    severity: 'warn',
    title: `Quorum not judged: ${unchecked.length} of ${voters} voting members were not checked`,
    detail: `Not checked: ${names.join('; ')}. ${counts}.`,
    remedy: `Check every member: \`ETCDCTL_ENDPOINTS=${endpoints} quorum etcd check\` (or list them all in etcd.endpoints in the config).`,
  };
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
