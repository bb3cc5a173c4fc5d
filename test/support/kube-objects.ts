/**
 * Builders for realistic Kubernetes objects, shaped as kubectl -o json shows them
 * on a kubeadm cluster: nodes with conditions and node-lifecycle taints, pods with
 * owners and static-pod mirrors, PDBs with status, node leases, events, RBAC.
 */
import { ago } from './kube-objects-more.js';
import type { KubeObject } from './kube-store.js';

export interface NodeSpec {
  name: string;
  /** true → Ready True; false → Ready False (kubelet says so); 'Unknown' → kubelet silent. */
  ready?: boolean | 'Unknown';
  roles?: string[];
  kubeletVersion?: string;
  unschedulable?: boolean;
  taints?: { key: string; value?: string; effect: string }[];
  pressure?: { memory?: boolean; disk?: boolean; pid?: boolean };
  internalIP?: string;
  osImage?: string;
  containerRuntimeVersion?: string;
  /** When the Ready condition last changed. Default 2 h ago. */
  readySinceMs?: number;
}

function readyCondition(ready: NodeSpec['ready'], sinceMs: number) {
  const base = { type: 'Ready', lastTransitionTime: ago(sinceMs) };
  if (ready === 'Unknown') {
    return {
      ...base,
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: ago(sinceMs + 20_000),
    };
  }
  if (ready === false) {
    return {
      ...base,
      status: 'False',
      reason: 'KubeletNotReady',
      message: 'container runtime network not ready: NetworkReady=false',
      lastHeartbeatTime: ago(5_000),
    };
  }
  return {
    ...base,
    status: 'True',
    reason: 'KubeletReady',
    message: 'kubelet is posting ready status',
    lastHeartbeatTime: ago(5_000),
  };
}

function pressureCondition(type: string, on: boolean | undefined, unknown: boolean) {
  const reasons: Record<string, string> = {
    MemoryPressure: 'KubeletHasSufficientMemory',
    DiskPressure: 'KubeletHasNoDiskPressure',
    PIDPressure: 'KubeletHasSufficientPID',
  };
  if (unknown) {
    return {
      type,
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    };
  }
  return on
    ? { type, status: 'True', reason: `KubeletHas${type}`, message: `kubelet has ${type}` }
    : { type, status: 'False', reason: reasons[type], message: `kubelet has no ${type}` };
}

function lifecycleTaints(spec: NodeSpec) {
  const taints = [...(spec.taints ?? [])];
  if (spec.roles?.includes('control-plane'))
    taints.push({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
  if (spec.unschedulable)
    taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
  if (spec.ready === 'Unknown') {
    for (const effect of ['NoSchedule', 'NoExecute'])
      taints.push({ key: 'node.kubernetes.io/unreachable', effect });
  } else if (spec.ready === false) {
    taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
  }
  return taints;
}

/** A Node; NotReady nodes carry the node-lifecycle taints the controller would add. */
export function node(spec: NodeSpec): KubeObject {
  const unknown = spec.ready === 'Unknown';
  const roleLabels = Object.fromEntries(
    (spec.roles ?? []).map((r) => [`node-role.kubernetes.io/${r}`, '']),
  );
  const taints = lifecycleTaints(spec);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        ...roleLabels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {
      podCIDR: '10.244.1.0/24',
      ...(spec.unschedulable ? { unschedulable: true } : {}),
      ...(taints.length ? { taints } : {}),
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: spec.internalIP ?? '10.0.0.21' },
        { type: 'Hostname', address: spec.name },
      ],
      conditions: [
        pressureCondition('MemoryPressure', spec.pressure?.memory, unknown),
        pressureCondition('DiskPressure', spec.pressure?.disk, unknown),
        pressureCondition('PIDPressure', spec.pressure?.pid, unknown),
        readyCondition(spec.ready ?? true, spec.readySinceMs ?? 7_200_000),
      ],
      nodeInfo: {
        architecture: 'amd64',
        bootID: 'a6f0c9a8-0d1e-4d53-9d7e-0b4a3c1f2e11',
        containerRuntimeVersion: spec.containerRuntimeVersion ?? 'containerd://1.7.24',
        kernelVersion: '6.1.0-28-amd64',
        kubeProxyVersion: spec.kubeletVersion ?? 'v1.31.4',
        kubeletVersion: spec.kubeletVersion ?? 'v1.31.4',
        machineID: '4c4c4544004b4a10804bb4c04f4b3732',
        operatingSystem: 'linux',
        osImage: spec.osImage ?? 'Debian GNU/Linux 12 (bookworm)',
        systemUUID: '4c4c4544-004b-4a10-804b-b4c04f4b3732',
      },
    },
  };
}

export interface PodSpec {
  name: string;
  namespace?: string;
  node?: string;
  phase?: string;
  ready?: boolean;
  /** Controller owner; a static pod mirror is owned by its Node. */
  owner?: { kind: string; name: string };
  /** A static pod's mirror (annotation kubernetes.io/config.mirror). */
  mirror?: boolean;
  images?: string[];
  labels?: Record<string, string>;
  restarts?: number;
  /** Host access (the security audit): the first container privileged, hostPath volumes… */
  privileged?: boolean;
  hostPaths?: string[];
  hostNetwork?: boolean;
  hostPID?: boolean;
}

const API_VERSIONS: Record<string, string> = {
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  Job: 'batch/v1',
  Node: 'v1',
};

/** A Pod; `mirror` makes it a static pod mirror owned by its Node. */
export function pod(spec: PodSpec): KubeObject {
  const images = spec.images ?? ['registry.k8s.io/pause:3.10'];
  const owner = spec.mirror ? { kind: 'Node', name: spec.node ?? 'node-1' } : spec.owner;
  const ready = spec.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: spec.name,
      namespace: spec.namespace ?? 'default',
      labels: spec.labels ?? {},
      annotations: spec.mirror
        ? {
            'kubernetes.io/config.hash': '8e2f1a9b4c1d6e3f',
            'kubernetes.io/config.mirror': '8e2f1a9b4c1d6e3f',
            'kubernetes.io/config.source': 'file',
          }
        : {},
      ...(owner
        ? {
            ownerReferences: [
              {
                apiVersion: API_VERSIONS[owner.kind] ?? 'v1',
                kind: owner.kind,
                name: owner.name,
                uid: '6a1c9c4e-3f2b-4f7e-9d0a-0c9b8e7d6f5a',
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      ...(spec.node ? { nodeName: spec.node } : {}),
      containers: images.map((image, i) => ({
        name: `c${i}`,
        image,
        ...(spec.privileged && i === 0 ? { securityContext: { privileged: true } } : {}),
        ...(spec.hostPaths?.length
          ? {
              volumeMounts: spec.hostPaths.map((_, v) => ({
                name: `host-${v}`,
                mountPath: `/host/${v}`,
              })),
            }
          : {}),
      })),
      ...(spec.hostPaths?.length
        ? {
            volumes: spec.hostPaths.map((path, v) => ({
              name: `host-${v}`,
              hostPath: { path, type: 'Directory' },
            })),
          }
        : {}),
      ...(spec.hostNetwork ? { hostNetwork: true } : {}),
      ...(spec.hostPID ? { hostPID: true } : {}),
      restartPolicy: 'Always',
    },
    status: {
      phase: spec.phase ?? 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: ready ? 'True' : 'False' },
      ],
      containerStatuses: images.map((image, i) => ({
        name: `c${i}`,
        image,
        imageID: '',
        ready,
        restartCount: i === 0 ? (spec.restarts ?? 0) : 0,
        started: true,
      })),
    },
  };
}

/** The four kubeadm static control-plane pods of a node, at a Kubernetes version. */
export function controlPlanePods(nodeName: string, version = 'v1.31.4', etcd = '3.5.15-0') {
  const component = (name: string, image: string) =>
    pod({
      name: `${name}-${nodeName}`,
      namespace: 'kube-system',
      node: nodeName,
      mirror: true,
      images: [image],
      labels: { component: name, tier: 'control-plane' },
    });
  return [
    component('kube-apiserver', `registry.k8s.io/kube-apiserver:${version}`),
    component('kube-controller-manager', `registry.k8s.io/kube-controller-manager:${version}`),
    component('kube-scheduler', `registry.k8s.io/kube-scheduler:${version}`),
    component('etcd', `registry.k8s.io/etcd:${etcd}`),
  ];
}

export {
  ago,
  agoMicro,
  clusterRole,
  clusterRoleBinding,
  event,
  namespace,
  nodeLease,
  pdb,
  roleBinding,
  type EventSpec,
  type PdbSpec,
} from './kube-objects-more.js';
