/**
 * The Kubernetes API's objects → the upgrade inventory's parts (pure): nodes with their
 * role, readiness and kubelet version; kube-proxy's version per node from its DaemonSet
 * pod's image (`status.nodeInfo.kubeProxyVersion` is deprecated and unreliable since
 * 1.31); the control plane's static pods, kube-apiservers and components from their
 * images; CoreDNS's image from its pods.
 */
import { imageTag, type NodeInfo, type PodInfo } from '../../domain/kube.js';
import { controlPlanePod, type ControlPlanePodInfo } from '../kube/control-plane.js';
import type {
  ApiserverInstance,
  ComponentInstance,
  ControlPlaneComponent,
  ControlPlanePod,
  InventoryNode,
} from './inventory.js';

const COMPONENTS: readonly ControlPlaneComponent[] = [
  'kube-controller-manager',
  'kube-scheduler',
  'cloud-controller-manager',
];

const isControlPlaneNode = (n: NodeInfo) =>
  n.roles.includes('control-plane') || n.roles.includes('master');

/** The image of `pod` whose name contains `name`, else its first. */
const imageOf = (pod: PodInfo, name: string) =>
  pod.images.find((i) => i.includes(name)) ?? pod.images[0];

/** kubeadm's kube-proxy DaemonSet labels its pods `k8s-app=kube-proxy`. */
const isKubeProxy = (p: PodInfo) =>
  p.labels['k8s-app'] === 'kube-proxy' ||
  (p.ownerKind === 'DaemonSet' && p.ownerName === 'kube-proxy');

/** kube-proxy's version (image tag) by node name. */
export function kubeProxyVersions(systemPods: readonly PodInfo[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of systemPods.filter(isKubeProxy)) {
    const image = imageOf(p, 'kube-proxy');
    if (p.node && image) out.set(p.node, imageTag(image) ?? image);
  }
  return out;
}

/** The nodes as the precheck and the plan read them; kube-proxy from `proxies` when known. */
export function inventoryNodes(
  nodes: readonly NodeInfo[],
  proxies: ReadonlyMap<string, string> | undefined,
): InventoryNode[] {
  return nodes.map((n) => {
    const proxy = proxies?.get(n.name);
    return {
      name: n.name,
      role: isControlPlaneNode(n) ? 'control-plane' : 'worker',
      ready: n.ready,
      ...(n.unschedulable ? { unschedulable: true } : {}),
      kubeletVersion: n.kubeletVersion ?? '',
      ...(proxy ? { kubeProxyVersion: proxy } : {}),
    };
  });
}

/** A cloud-controller-manager run as a Deployment or DaemonSet rather than a static pod. */
function cloudControllerManager(p: PodInfo): ControlPlanePodInfo | undefined {
  const named =
    p.labels.component === 'cloud-controller-manager' ||
    p.labels['k8s-app'] === 'cloud-controller-manager' ||
    p.name.startsWith('cloud-controller-manager');
  if (!named) return undefined;
  const image = imageOf(p, 'controller-manager');
  return {
    namespace: p.namespace,
    name: p.name,
    node: p.node,
    component: 'cloud-controller-manager',
    phase: p.phase,
    ready: p.ready,
    image,
    version: image ? imageTag(image) : undefined,
    restarts: p.restarts,
  };
}

export interface ControlPlaneParts {
  controlPlanePods: ControlPlanePod[];
  apiservers: ApiserverInstance[];
  components: ComponentInstance[];
  /** Static control-plane pods exist, none of them etcd: etcd runs outside the cluster. */
  etcdExternal: boolean;
}

/** kube-system's control-plane pods, and the versions their images carry. */
export function controlPlaneParts(systemPods: readonly PodInfo[]): ControlPlaneParts {
  const pods = systemPods.flatMap((p) => {
    const cp = controlPlanePod(p);
    const ccm = cp?.component === 'cloud-controller-manager' ? cp : cloudControllerManager(p);
    return ccm ? [ccm] : cp ? [cp] : [];
  });
  const version = (p: ControlPlanePodInfo) => p.image ?? p.version ?? '';
  return {
    controlPlanePods: pods.map((p) => ({
      namespace: p.namespace,
      name: p.name,
      node: p.node ?? '',
      component: p.component,
      phase: p.phase,
      ready: p.ready,
    })),
    apiservers: pods
      .filter((p) => p.component === 'kube-apiserver')
      .map((p) => ({ node: p.node ?? p.name, version: version(p) })),
    components: pods.flatMap((p) => {
      const component = COMPONENTS.find((c) => c === p.component);
      return component ? [{ component, node: p.node ?? p.name, version: version(p) }] : [];
    }),
    etcdExternal:
      pods.some((p) => p.component === 'kube-apiserver') &&
      !pods.some((p) => p.component === 'etcd'),
  };
}

/** The CoreDNS image (pods labelled `k8s-app=kube-dns`, as kubeadm deploys it). */
export function coreDnsImage(systemPods: readonly PodInfo[]): string | undefined {
  const pod = systemPods.find((p) => p.labels['k8s-app'] === 'kube-dns');
  return pod ? imageOf(pod, 'coredns') : undefined;
}
