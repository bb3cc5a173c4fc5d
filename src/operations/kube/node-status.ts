/**
 * The status of one node, as the Node NotReady runbook's first step shows it: its
 * conditions, pressure, taints, cordon, and how long ago the kubelet last renewed
 * its heartbeat Lease (stale after 40 s), with the commands to run next.
 */
import type { LeaseInfo, NodeInfo } from '../../domain/kube.js';
import type { Report } from '../../domain/report.js';
import type { KubeClient } from './client.js';
import { missingNode, nodeFindings } from './node-rules.js';
import { callDeadline, kubeReport, type KubeOpInput } from './report.js';

export interface NodeStatusInput extends KubeOpInput {
  node: string;
  /** Clock for the lease age; tests pin it. */
  now?: () => number;
}

/** The node, its lease and the lease age the findings were judged on. */
export interface NodeStatusData {
  /** Absent when the API server knows no such node. */
  node?: NodeInfo;
  lease?: LeaseInfo;
  /** How long ago the lease was renewed, in ms. */
  leaseAgeMs?: number;
}

export type NodeStatusReport = Report<NodeStatusData>;

/** Reads the node and its lease at once and judges them. */
export async function nodeStatus(
  client: KubeClient,
  input: NodeStatusInput,
): Promise<NodeStatusReport> {
  const startedAt = new Date().toISOString();
  const [node, lease] = await Promise.all([
    client.getNode(input.node, callDeadline(input)),
    client.getNodeLease(input.node, callDeadline(input)),
  ]);
  if (!node) {
    return kubeReport(
      'kube.node-status',
      input.cluster,
      startedAt,
      [missingNode(input.node, client.server)],
      lease ? { lease } : {},
    );
  }
  const now = (input.now ?? Date.now)();
  const renewed = lease?.renewTime ? Date.parse(lease.renewTime) : NaN;
  const leaseAgeMs = Number.isNaN(renewed) ? undefined : now - renewed;
  const findings = nodeFindings({ node, lease, leaseAgeMs, now });
  return kubeReport('kube.node-status', input.cluster, startedAt, findings, {
    node,
    lease,
    leaseAgeMs,
  });
}
