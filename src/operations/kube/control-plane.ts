/**
 * The control plane as kubeadm runs it: static pods in kube-system (label
 * tier=control-plane, or named kube-apiserver-*, etcd-*, kube-controller-manager-*,
 * kube-scheduler-*), their readiness, images and the versions in the image tags,
 * and which control-plane node lacks one of them.
 */
import { imageTag, type NodeInfo, type PodInfo } from '../../domain/kube.js';
import type { Finding, Report } from '../../domain/report.js';
import type { KubeClient } from './client.js';
import { callDeadline, kubeReport, listSome, type KubeOpInput } from './report.js';

/** The static pods kubeadm runs on every control-plane node (etcd when stacked). */
export const CONTROL_PLANE_COMPONENTS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'etcd',
] as const;

/** One control-plane pod as the report shows it. */
export interface ControlPlanePodInfo {
  namespace: string;
  name: string;
  node?: string;
  /** The `component` label, else the name's prefix. */
  component: string;
  phase: string;
  ready: boolean;
  image?: string;
  /** The image tag, e.g. `v1.31.4` or `3.5.15-0`. */
  version?: string;
  restarts: number;
}

export interface ControlPlaneData {
  pods: ControlPlanePodInfo[];
  /** Names of nodes labelled node-role.kubernetes.io/control-plane (or master). */
  nodes: string[];
}

export type ControlPlaneReport = Report<ControlPlaneData>;

const prefixOf = (name: string) => CONTROL_PLANE_COMPONENTS.find((c) => name.startsWith(`${c}-`));

/** A kube-system pod of the control plane, described; undefined for any other pod. */
export function controlPlanePod(pod: PodInfo): ControlPlanePodInfo | undefined {
  if (pod.namespace !== 'kube-system') return undefined;
  const prefix = prefixOf(pod.name);
  if (pod.labels.tier !== 'control-plane' && !prefix) return undefined;
  const component = pod.labels.component ?? prefix ?? pod.name;
  const image = pod.images.find((i) => i.includes(component)) ?? pod.images[0];
  return {
    namespace: pod.namespace,
    name: pod.name,
    node: pod.node,
    component,
    phase: pod.phase,
    ready: pod.ready,
    image,
    version: image ? imageTag(image) : undefined,
    restarts: pod.restarts,
  };
}

const isControlPlaneNode = (n: NodeInfo) =>
  n.roles.includes('control-plane') || n.roles.includes('master');

function unreadyFinding(p: ControlPlanePodInfo): Finding {
  const node = p.node ?? '<node>';
  return {
    id: `kube.control-plane.${p.component}`,
    severity: 'crit',
    title: `${p.name} is not ready (${p.phase}${p.restarts ? `, ${p.restarts} restarts` : ''})`,
    remedy:
      `ssh ${node} crictl ps -a --name ${p.component}\n` +
      `ssh ${node} 'crictl logs --tail 50 $(crictl ps -a --name ${p.component} -q | head -1)'\n` +
      `ssh ${node} ls -l /etc/kubernetes/manifests/`,
  };
}

function missingFindings(pods: ControlPlanePodInfo[], nodes: string[]): Finding[] {
  const stackedEtcd = pods.some((p) => p.component === 'etcd');
  const wanted = CONTROL_PLANE_COMPONENTS.filter((c) => c !== 'etcd' || stackedEtcd);
  return nodes.flatMap((node) =>
    wanted
      .filter((c) => !pods.some((p) => p.node === node && p.component === c))
      .map((c) => ({
        id: `kube.control-plane.${c}`,
        severity: 'crit' as const,
        title: `Control-plane node ${node} runs no ${c} pod`,
        detail: `kubeadm runs ${c} as a static pod from /etc/kubernetes/manifests/${c}.yaml.`,
        remedy: `ssh ${node} ls -l /etc/kubernetes/manifests/\nssh ${node} journalctl -u kubelet --since -30m | grep ${c}`,
      })),
  );
}

function versionFindings(pods: ControlPlanePodInfo[]): Finding[] {
  const k8s = pods.filter((p) => p.component !== 'etcd' && p.version);
  const versions = [...new Set(k8s.map((p) => p.version as string))].sort();
  if (versions.length <= 1) return [];
  return [
    {
      id: 'kube.control-plane.versions',
      severity: 'warn',
      title: `Control-plane components run ${versions.length} versions: ${versions.join(', ')}`,
      detail: listSome(
        k8s.map((p) => `${p.name}=${p.version}`),
        12,
      ),
      remedy:
        'Expected only in the middle of an upgrade: finish it node by node (`kubeadm upgrade node`).',
    },
  ];
}

/** Pure: findings about the control-plane pods and nodes. */
export function controlPlaneFindings(data: ControlPlaneData): Finding[] {
  const { pods, nodes } = data;
  if (pods.length === 0) {
    return [
      {
        id: 'kube.control-plane.none',
        severity: 'info',
        title: 'No control-plane pods in kube-system',
        detail:
          'The control plane is not run as kubeadm static pods (managed, or run as system services).',
      },
    ];
  }
  const findings = [
    ...pods.filter((p) => !p.ready || p.phase !== 'Running').map(unreadyFinding),
    ...missingFindings(pods, nodes),
    ...versionFindings(pods),
  ];
  if (findings.every((f) => f.severity !== 'crit')) {
    const api = pods.find((p) => p.component === 'kube-apiserver')?.version;
    findings.unshift({
      id: 'kube.control-plane',
      severity: 'ok',
      title: `Control plane: ${pods.length} pods ready on ${nodes.length} node(s)${api ? `, kube-apiserver ${api}` : ''}`,
    });
  }
  return findings;
}

/** Reads kube-system's pods and the nodes, and judges the control plane. */
export async function controlPlane(
  client: KubeClient,
  input: KubeOpInput,
): Promise<ControlPlaneReport> {
  const startedAt = new Date().toISOString();
  const [pods, nodes] = await Promise.all([
    client.listPods({ namespace: 'kube-system' }, callDeadline(input)),
    client.listNodes(callDeadline(input)),
  ]);
  const data: ControlPlaneData = {
    pods: pods.flatMap((p) => controlPlanePod(p) ?? []),
    nodes: nodes.filter(isControlPlaneNode).map((n) => n.name),
  };
  return kubeReport(
    'kube.control-plane',
    input.cluster,
    startedAt,
    controlPlaneFindings(data),
    data,
  );
}
