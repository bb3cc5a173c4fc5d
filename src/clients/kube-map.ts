/**
 * @kubernetes/client-node objects → Quorum's plain domain types (domain/kube.ts).
 * Times become ISO strings: the library hands out Date objects for most of them and
 * raw strings for MicroTime fields (lease renewTime, event eventTime).
 */
import type {
  CoreV1Event,
  RbacV1Subject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Lease,
  V1Container,
  V1Namespace,
  V1NetworkPolicy,
  V1Node,
  V1Pod,
  V1PodDisruptionBudget,
  V1RoleBinding,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import type {
  ClusterRoleInfo,
  ContainerInfo,
  EventInfo,
  LeaseInfo,
  NamespaceInfo,
  NetworkPolicyInfo,
  NodeInfo,
  PdbInfo,
  PodInfo,
  RoleBindingInfo,
  ServiceAccountInfo,
} from '../domain/kube.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** An ISO-8601 string from a Date, a string, or nothing. */
export function iso(value: Date | string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

/** Drops keys whose value is undefined, so results compare and serialise cleanly. */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

/** A Node: roles from node-role labels, Ready and pressure conditions, taints, versions. */
export function toNodeInfo(node: V1Node): NodeInfo {
  const labels = node.metadata?.labels ?? {};
  const conditions = (node.status?.conditions ?? []).map((c) =>
    compact({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      lastTransitionTime: iso(c.lastTransitionTime),
      lastHeartbeatTime: iso(c.lastHeartbeatTime),
    }),
  );
  const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  const info = node.status?.nodeInfo;
  return compact({
    name: node.metadata?.name ?? '',
    roles: Object.keys(labels)
      .filter((key) => key.startsWith(ROLE_PREFIX) && key.length > ROLE_PREFIX.length)
      .map((key) => key.slice(ROLE_PREFIX.length))
      .sort(),
    labels,
    ready: isTrue('Ready'),
    readyStatus: conditions.find((c) => c.type === 'Ready')?.status ?? 'Missing',
    conditions,
    pressure: {
      memory: isTrue('MemoryPressure'),
      disk: isTrue('DiskPressure'),
      pid: isTrue('PIDPressure'),
    },
    taints: (node.spec?.taints ?? []).map((t) =>
      compact({ key: t.key, value: t.value || undefined, effect: t.effect }),
    ),
    unschedulable: node.spec?.unschedulable === true,
    kubeletVersion: info?.kubeletVersion,
    kubeProxyVersion: info?.kubeProxyVersion || undefined,
    containerRuntimeVersion: info?.containerRuntimeVersion,
    osImage: info?.osImage,
    internalIP: node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
    createdAt: iso(node.metadata?.creationTimestamp),
  });
}

/** A Pod: controlling owner, static-pod mirror, images, readiness and summed restarts. */
export function toPodInfo(pod: V1Pod): PodInfo {
  const owners = pod.metadata?.ownerReferences ?? [];
  const owner = owners.find((o) => o.controller) ?? owners[0];
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  return compact({
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    node: pod.spec?.nodeName || undefined,
    phase: pod.status?.phase ?? 'Unknown',
    ready: (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    ownerKind: owner?.kind,
    ownerName: owner?.name,
    mirror: MIRROR_ANNOTATION in (pod.metadata?.annotations ?? {}),
    images: [...new Set(containers.map((c) => c.image ?? '').filter(Boolean))],
    labels: pod.metadata?.labels ?? {},
    restarts: statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0),
    deletionTimestamp: iso(pod.metadata?.deletionTimestamp),
    createdAt: iso(pod.metadata?.creationTimestamp),
    ...hostAccess(pod),
    containers: containers.map(toContainerInfo),
    serviceAccountName: pod.spec?.serviceAccountName || undefined,
    automountServiceAccountToken: pod.spec?.automountServiceAccountToken ?? undefined,
  });
}

function toContainerInfo(c: V1Container): ContainerInfo {
  return compact({
    name: c.name,
    image: c.image ?? '',
    imagePullPolicy: c.imagePullPolicy || undefined,
    command: [...(c.command ?? []), ...(c.args ?? [])],
  });
}

/** A NetworkPolicy, its policyTypes defaulted as the API server does when they are left out. */
export function toNetworkPolicyInfo(p: V1NetworkPolicy): NetworkPolicyInfo {
  const egressRules = p.spec?.egress?.length ?? 0;
  const policyTypes = p.spec?.policyTypes?.length
    ? p.spec.policyTypes
    : ['Ingress', ...(egressRules ? ['Egress'] : [])];
  return {
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    podSelector: {
      ...(p.spec?.podSelector?.matchLabels ? { matchLabels: p.spec.podSelector.matchLabels } : {}),
      ...(p.spec?.podSelector?.matchExpressions
        ? { matchExpressions: p.spec.podSelector.matchExpressions }
        : {}),
    },
    policyTypes,
    ingressRules: p.spec?.ingress?.length ?? 0,
    egressRules,
  };
}

export function toServiceAccountInfo(sa: V1ServiceAccount): ServiceAccountInfo {
  return compact({
    namespace: sa.metadata?.namespace ?? '',
    name: sa.metadata?.name ?? '',
    automountServiceAccountToken: sa.automountServiceAccountToken ?? undefined,
  });
}

/** Privileged containers, hostPath volumes, host network and PIDs: only what is present. */
function hostAccess(pod: V1Pod): Partial<PodInfo> {
  const spec = pod.spec;
  const all = [
    ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ];
  const privileged = all.filter((c) => c.securityContext?.privileged).map((c) => c.name);
  const hostPaths = (spec?.volumes ?? []).flatMap((v) => (v.hostPath ? [v.hostPath.path] : []));
  return {
    ...(privileged.length ? { privilegedContainers: privileged } : {}),
    ...(hostPaths.length ? { hostPaths } : {}),
    ...(spec?.hostNetwork ? { hostNetwork: true } : {}),
    ...(spec?.hostPID ? { hostPID: true } : {}),
  };
}

/** A core/v1 Event, with its last occurrence from whichever time field is set. */
export function toEventInfo(event: CoreV1Event): EventInfo {
  const involved = event.involvedObject;
  return compact({
    namespace: event.metadata?.namespace ?? involved.namespace ?? '',
    type: event.type ?? 'Normal',
    reason: event.reason,
    message: event.message,
    count: event.count ?? event.series?.count ?? 1,
    lastSeen:
      iso(event.lastTimestamp) ??
      iso(event.series?.lastObservedTime) ??
      iso(event.eventTime) ??
      iso(event.metadata?.creationTimestamp),
    firstSeen: iso(event.firstTimestamp) ?? iso(event.eventTime),
    source: event.source?.component ?? event.reportingComponent ?? undefined,
    object: compact({
      kind: involved.kind ?? '',
      name: involved.name ?? '',
      namespace: involved.namespace,
    }),
  });
}

/** A coordination/v1 Lease (node heartbeat). */
export function toLeaseInfo(lease: V1Lease): LeaseInfo {
  return compact({
    namespace: lease.metadata?.namespace ?? '',
    name: lease.metadata?.name ?? '',
    holderIdentity: lease.spec?.holderIdentity,
    renewTime: iso(lease.spec?.renewTime),
    leaseDurationSeconds: lease.spec?.leaseDurationSeconds,
  });
}

/** A policy/v1 PodDisruptionBudget with its status counters (0 when not yet computed). */
export function toPdbInfo(pdb: V1PodDisruptionBudget): PdbInfo {
  const s = pdb.status;
  return {
    namespace: pdb.metadata?.namespace ?? '',
    name: pdb.metadata?.name ?? '',
    selector: compact({
      matchLabels: pdb.spec?.selector?.matchLabels,
      matchExpressions: pdb.spec?.selector?.matchExpressions,
    }),
    disruptionsAllowed: s?.disruptionsAllowed ?? 0,
    currentHealthy: s?.currentHealthy ?? 0,
    desiredHealthy: s?.desiredHealthy ?? 0,
    expectedPods: s?.expectedPods ?? 0,
  };
}

const subject = (s: RbacV1Subject) =>
  compact({ kind: s.kind, name: s.name, namespace: s.namespace || undefined });

/** A ClusterRoleBinding or RoleBinding: role reference and subjects. */
export function toRoleBindingInfo(binding: V1ClusterRoleBinding | V1RoleBinding): RoleBindingInfo {
  return compact({
    namespace: binding.metadata?.namespace || undefined,
    name: binding.metadata?.name ?? '',
    roleRef: { kind: binding.roleRef.kind, name: binding.roleRef.name },
    subjects: (binding.subjects ?? []).map(subject),
  });
}

/** A ClusterRole: its rules, and whether it aggregates others. */
export function toClusterRoleInfo(role: V1ClusterRole): ClusterRoleInfo {
  return {
    name: role.metadata?.name ?? '',
    rules: (role.rules ?? []).map((r) =>
      compact({
        apiGroups: r.apiGroups ?? [],
        resources: r.resources ?? [],
        verbs: r.verbs,
        resourceNames: r.resourceNames,
        nonResourceURLs: r.nonResourceURLs,
      }),
    ),
    aggregated: Boolean(role.aggregationRule?.clusterRoleSelectors?.length),
    labels: role.metadata?.labels ?? {},
  };
}

/** A Namespace: name and labels (Pod Security admission reads them). */
export function toNamespaceInfo(ns: V1Namespace): NamespaceInfo {
  return { name: ns.metadata?.name ?? '', labels: ns.metadata?.labels ?? {} };
}
