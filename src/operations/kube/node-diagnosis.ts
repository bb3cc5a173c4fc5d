/**
 * Everything the Node NotReady runbook looks at first, in one report: the node's
 * conditions, pressure, taints and Lease (node-status.ts), the pods on it
 * (node-pods.ts) and its recent events (events.ts).
 */
import type { EventInfo } from '../../domain/kube.js';
import type { Report } from '../../domain/report.js';
import type { KubeClient } from './client.js';
import { recentEvents } from './events.js';
import { nodePods, type NodePodsReport } from './node-pods.js';
import { nodeStatus, type NodeStatusData } from './node-status.js';
import { kubeReport, type KubeOpInput } from './report.js';

export interface NodeDiagnosisData extends NodeStatusData {
  pods: NodePodsReport['data']['pods'];
  events: EventInfo[];
}

export async function diagnoseNode(
  client: KubeClient,
  input: KubeOpInput & { node: string },
): Promise<Report<NodeDiagnosisData>> {
  const startedAt = new Date().toISOString();
  const status = await nodeStatus(client, input);
  if (!status.data.node) {
    return kubeReport('kube.node', input.cluster, startedAt, status.findings, {
      ...status.data,
      pods: [],
      events: [],
    });
  }
  const [pods, events] = await Promise.all([
    nodePods(client, input),
    recentEvents(client, { ...input, kind: 'Node', name: input.node, limit: 10 }),
  ]);
  return kubeReport(
    'kube.node',
    input.cluster,
    startedAt,
    [...status.findings, ...pods.findings, ...events.findings],
    { ...status.data, pods: pods.data.pods, events: events.data.events },
  );
}
