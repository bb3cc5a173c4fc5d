/**
 * A whole kubeadm cluster's objects for the Kubernetes API test server, as the upgrade
 * precheck reads them: control-plane and worker nodes, the static control-plane pods,
 * kube-proxy's DaemonSet pods, CoreDNS and a PodDisruptionBudget that allows a disruption.
 */
import * as kube from './kube-objects.js';
import type { KubeObject, KubeStore } from './kube-store.js';
import { versionInfo } from './kube-store.js';

/** kube-proxy as kubeadm's DaemonSet runs it on `node` (pods labelled k8s-app=kube-proxy). */
export function kubeProxyPod(node: string, version = 'v1.31.4'): KubeObject {
  return kube.pod({
    name: `kube-proxy-${node}`,
    namespace: 'kube-system',
    node,
    owner: { kind: 'DaemonSet', name: 'kube-proxy' },
    labels: { 'k8s-app': 'kube-proxy' },
    images: [`registry.k8s.io/kube-proxy:${version}`],
  });
}

/** A healthy cluster at v1.31.4: control-plane nodes cp-1 and cp-2, workers worker-1 and worker-2. */
export function kubeadmCluster(): KubeObject[] {
  const nodes = ['cp-1', 'cp-2', 'worker-1', 'worker-2'];
  return [
    kube.node({ name: 'cp-1', roles: ['control-plane'], internalIP: '10.0.0.11' }),
    kube.node({ name: 'cp-2', roles: ['control-plane'], internalIP: '10.0.0.12' }),
    kube.node({ name: 'worker-1', internalIP: '10.0.0.21' }),
    kube.node({ name: 'worker-2', internalIP: '10.0.0.22' }),
    ...kube.controlPlanePods('cp-1'),
    ...kube.controlPlanePods('cp-2'),
    ...nodes.map((n) => kubeProxyPod(n)),
    kube.pod({
      name: 'coredns-7c65d6cfc9-x2p4l',
      namespace: 'kube-system',
      node: 'worker-1',
      owner: { kind: 'ReplicaSet', name: 'coredns-7c65d6cfc9' },
      labels: { 'k8s-app': 'kube-dns' },
      images: ['registry.k8s.io/coredns/coredns:v1.11.3'],
    }),
    kube.pdb({
      name: 'web',
      namespace: 'shop',
      matchLabels: { app: 'web' },
      disruptionsAllowed: 1,
    }),
  ];
}

/** Replaces the store's nodes, pods and PDBs with `objects`; /version and /metrics reset. */
export function seedCluster(store: KubeStore, objects: KubeObject[], version = 'v1.31.4'): void {
  for (const kind of ['Node', 'Pod', 'PodDisruptionBudget']) store.clear(kind);
  store.add(...objects);
  store.version = versionInfo(version);
  store.metrics = '# HELP apiserver_request_total Counter of apiserver requests.\n';
}
