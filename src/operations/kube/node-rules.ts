/**
 * Pure judgement of one node: readiness, pressure, heartbeat lease, cordon and
 * taints → findings whose remedies are the commands an operator runs next.
 */
import { formatDuration } from '../../domain/units.js';
import type { LeaseInfo, NodeCondition, NodeInfo } from '../../domain/kube.js';
import type { Finding } from '../../domain/report.js';

/** The node controller's grace period: a lease older than this means a silent kubelet. */
export const LEASE_STALE_MS = 40_000;

/** The facts about one node at one moment. */
export interface NodeFacts {
  node: NodeInfo;
  lease?: LeaseInfo;
  /** Now minus the lease's renewTime, in ms. */
  leaseAgeMs?: number;
  now: number;
}

const since = (c: NodeCondition | undefined, now: number) =>
  c?.lastTransitionTime
    ? ` since ${c.lastTransitionTime} (${formatDuration(now - Date.parse(c.lastTransitionTime))} ago)`
    : '';

function kubeletRemedy(name: string): string {
  return [
    `ssh ${name} systemctl status kubelet`,
    `ssh ${name} journalctl -u kubelet --since -30m`,
    `ssh ${name} crictl ps`,
    `ssh ${name} systemctl status containerd`,
    `kubectl describe node ${name}`,
  ].join('\n');
}

/** crit when the node is not Ready, with kubelet/runtime commands; ok otherwise. */
export function readyFinding({ node, now }: NodeFacts): Finding {
  const ready = node.conditions.find((c) => c.type === 'Ready');
  if (node.ready) {
    return { id: 'kube.node.ready', severity: 'ok', title: `Node ${node.name} is Ready` };
  }
  const why = ready
    ? [ready.reason, ready.message].filter(Boolean).join(': ')
    : 'no Ready condition';
  const silent = node.readyStatus === 'Unknown';
  return {
    id: 'kube.node.ready',
    severity: 'crit',
    title: silent
      ? `Node ${node.name} is NotReady: the kubelet stopped reporting`
      : `Node ${node.name} is NotReady`,
    detail:
      `Ready=${node.readyStatus}${since(ready, now)} — ${why}` +
      (node.internalIP ? `; InternalIP ${node.internalIP}` : ''),
    remedy: silent
      ? `Check the kubelet and its path to the API server:\n${kubeletRemedy(node.name)}`
      : `The kubelet runs but reports a problem (often the container runtime or CNI):\n${kubeletRemedy(node.name)}`,
  };
}

const PRESSURE: { key: 'memory' | 'disk' | 'pid'; type: string; remedy: (n: string) => string }[] =
  [
    {
      key: 'memory',
      type: 'MemoryPressure',
      remedy: (n) =>
        `ssh ${n} free -m\nkubectl top pods -A --sort-by=memory  # needs metrics-server\n` +
        'The kubelet evicts pods until memory is back above its eviction threshold.',
    },
    {
      key: 'disk',
      type: 'DiskPressure',
      remedy: (n) =>
        `ssh ${n} df -h /var/lib/kubelet /var/lib/containerd /var/log\n` +
        `ssh ${n} crictl rmi --prune\nssh ${n} journalctl --vacuum-size=500M`,
    },
    {
      key: 'pid',
      type: 'PIDPressure',
      remedy: (n) =>
        `ssh ${n} ps -eLf --no-headers | wc -l\nssh ${n} cat /proc/sys/kernel/pid_max\n` +
        'Find the pod forking without bound and set a pod PID limit (kubelet podPidsLimit).',
    },
  ];

/** warn per Memory/Disk/PID pressure, each with its own remedy. */
export function pressureFindings({ node }: NodeFacts): Finding[] {
  return PRESSURE.filter((p) => node.pressure[p.key]).map((p) => {
    const c = node.conditions.find((x) => x.type === p.type);
    return {
      id: `kube.node.pressure.${p.key}`,
      severity: 'warn',
      title: `Node ${node.name} has ${p.type}`,
      detail: [c?.reason, c?.message].filter(Boolean).join(': ') || undefined,
      remedy: p.remedy(node.name),
    };
  });
}

/** crit when the heartbeat Lease is older than 40 s, warn when there is none. */
export function leaseFinding({ node, lease, leaseAgeMs }: NodeFacts): Finding {
  const id = 'kube.node.lease';
  if (!lease?.renewTime || leaseAgeMs === undefined) {
    return {
      id,
      severity: 'warn',
      title: `Node ${node.name} has no heartbeat lease`,
      detail: `No renewed Lease kube-node-lease/${node.name}: the kubelet never registered it, or the node was removed.`,
      remedy: `kubectl -n kube-node-lease get lease ${node.name} -o yaml\nssh ${node.name} systemctl status kubelet`,
    };
  }
  const age = formatDuration(Math.max(0, leaseAgeMs));
  if (leaseAgeMs > LEASE_STALE_MS) {
    return {
      id,
      severity: 'crit',
      title: `Node ${node.name}'s heartbeat is stale: lease renewed ${age} ago`,
      detail: `renewTime ${lease.renewTime}; the node controller expects a renewal every ~10 s and gives up after ${LEASE_STALE_MS / 1000} s.`,
      remedy: `The kubelet is down or cannot reach the API server:\n${kubeletRemedy(node.name)}`,
    };
  }
  return { id, severity: 'ok', title: `Node ${node.name}'s lease was renewed ${age} ago` };
}

/** info when cordoned; the taints (warn when one is NoExecute). */
export function scheduleFindings({ node }: NodeFacts): Finding[] {
  const findings: Finding[] = [];
  if (node.unschedulable) {
    findings.push({
      id: 'kube.node.cordoned',
      severity: 'info',
      title: `Node ${node.name} is cordoned (unschedulable)`,
      remedy: `When maintenance is over: kubectl uncordon ${node.name}`,
    });
  }
  const noExecute = node.taints.filter((t) => t.effect === 'NoExecute');
  if (node.taints.length > 0) {
    findings.push({
      id: 'kube.node.taints',
      severity: noExecute.length > 0 ? 'warn' : 'info',
      title: `Node ${node.name} has ${node.taints.length} taint(s)`,
      detail: node.taints
        .map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`)
        .join(', '),
      remedy:
        noExecute.length > 0
          ? 'NoExecute taints evict pods that do not tolerate them (by default after 300 s for not-ready/unreachable).'
          : undefined,
    });
  }
  return findings;
}

/** The finding for a node that does not exist. */
export function missingNode(name: string, server: string): Finding {
  return {
    id: 'kube.node.missing',
    severity: 'crit',
    title: `Node ${name} does not exist`,
    detail: `The API server ${server} has no Node named "${name}".`,
    remedy: 'kubectl get nodes -o wide',
  };
}

/** Every finding about a node, crit first as the rules order them. */
export function nodeFindings(facts: NodeFacts): Finding[] {
  return [
    readyFinding(facts),
    leaseFinding(facts),
    ...pressureFindings(facts),
    ...scheduleFindings(facts),
  ];
}
