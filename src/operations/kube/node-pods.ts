/**
 * The pods on one node, each marked by what keeps it there: a DaemonSet, the
 * kubelet (static pod, seen through its mirror), another controller, or nothing.
 * Drain uses the same marks to decide what to evict.
 */
import type { PodInfo } from '../../domain/kube.js';
import type { Finding, Report } from '../../domain/report.js';
import type { KubeClient } from './client.js';
import { callDeadline, kubeReport, listSome, podRef, type KubeOpInput } from './report.js';

/** `daemonset` and `static` pods stay on a drained node; `unmanaged` ones are not recreated. */
export type PodClass = 'daemonset' | 'static' | 'managed' | 'unmanaged';

/** A pod on the node and what keeps it there. */
export interface NodePod extends PodInfo {
  class: PodClass;
}

export interface NodePodsInput extends KubeOpInput {
  node: string;
}

export type NodePodsReport = Report<{ node: string; pods: NodePod[] }>;

/** What keeps a pod on its node. */
export function podClass(pod: PodInfo): PodClass {
  if (pod.mirror) return 'static';
  if (pod.ownerKind === 'DaemonSet') return 'daemonset';
  return pod.ownerKind ? 'managed' : 'unmanaged';
}

/** The node's pods, classified, sorted by namespace and name. */
export async function listNodePods(
  client: KubeClient,
  node: string,
  deadline: number,
): Promise<NodePod[]> {
  const pods = await client.listPods({ nodeName: node }, deadline);
  return pods
    .map((p) => ({ ...p, class: podClass(p) }))
    .sort((a, b) => podRef(a).localeCompare(podRef(b)));
}

function podFindings(node: string, pods: NodePod[]): Finding[] {
  const count = (c: PodClass) => pods.filter((p) => p.class === c).length;
  const findings: Finding[] = [
    {
      id: 'kube.node.pods',
      severity: 'info',
      title: `${pods.length} pod(s) on ${node}`,
      detail: `${count('daemonset')} DaemonSet, ${count('static')} static (mirror), ${count('managed')} managed by a controller, ${count('unmanaged')} without a controller`,
    },
  ];
  const notReady = pods.filter((p) => p.phase === 'Running' && !p.ready);
  if (notReady.length > 0) {
    findings.push({
      id: 'kube.node.pods.not-ready',
      severity: 'warn',
      title: `${notReady.length} running pod(s) on ${node} are not ready`,
      detail: listSome(notReady.map(podRef)),
      remedy: `kubectl get pods -A -o wide --field-selector spec.nodeName=${node}\nkubectl -n <namespace> describe pod <pod>`,
    });
  }
  return findings;
}

/** The report of the node's pods. */
export async function nodePods(client: KubeClient, input: NodePodsInput): Promise<NodePodsReport> {
  const startedAt = new Date().toISOString();
  const pods = await listNodePods(client, input.node, callDeadline(input));
  return kubeReport('kube.node-pods', input.cluster, startedAt, podFindings(input.node, pods), {
    node: input.node,
    pods,
  });
}
