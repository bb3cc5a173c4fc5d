/**
 * What the Kubernetes operations observe: nodes, pods, events, leases, disruption
 * budgets and the RBAC objects the security audit reads. Plain data with ISO-8601
 * times, so renderers and reports never see a client library's classes.
 */

/** The tag of an image reference (`host:5000/kube-apiserver:v1.31.4@sha256:…` → `v1.31.4`). */
export function imageTag(image: string): string | undefined {
  const name = image.split('@')[0] ?? '';
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
}

/** A label selector as Kubernetes writes it (matchLabels and matchExpressions are ANDed). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface NodeCondition {
  /** `Ready`, `MemoryPressure`, `DiskPressure`, `PIDPressure`, `NetworkUnavailable`. */
  type: string;
  /** `True`, `False` or `Unknown` (the kubelet stopped reporting). */
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
}

export interface Taint {
  key: string;
  value?: string;
  /** `NoSchedule`, `PreferNoSchedule` or `NoExecute`. */
  effect: string;
}

/** A Node as the runbooks and the upgrade precheck read it. */
export interface NodeInfo {
  name: string;
  /** From `node-role.kubernetes.io/<role>` labels, e.g. `control-plane`. */
  roles: string[];
  labels: Record<string, string>;
  /** The Ready condition is `True`. */
  ready: boolean;
  /** The Ready condition's status as reported: `True`, `False`, `Unknown` (or `Missing`). */
  readyStatus: string;
  conditions: NodeCondition[];
  pressure: { memory: boolean; disk: boolean; pid: boolean };
  taints: Taint[];
  unschedulable: boolean;
  kubeletVersion?: string;
  kubeProxyVersion?: string;
  containerRuntimeVersion?: string;
  osImage?: string;
  internalIP?: string;
  createdAt?: string;
}

/** A Pod as node listings and drains read it. */
export interface PodInfo {
  namespace: string;
  name: string;
  /** `spec.nodeName`; absent while unscheduled. */
  node?: string;
  /** `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`. */
  phase: string;
  /** The pod's Ready condition is `True`. */
  ready: boolean;
  /** Kind of the controlling owner: `DaemonSet`, `ReplicaSet`, `StatefulSet`, `Job`, `Node`... */
  ownerKind?: string;
  ownerName?: string;
  /** A static pod's API mirror (annotation `kubernetes.io/config.mirror`). */
  mirror: boolean;
  images: string[];
  labels: Record<string, string>;
  /** Restarts summed over all containers. */
  restarts: number;
  /** Set once deletion was requested. */
  deletionTimestamp?: string;
  createdAt?: string;
  /**
   * Host access, for the security audit; each set only when present. Containers
   * (init and ephemeral ones too) with `securityContext.privileged`.
   */
  privilegedContainers?: string[];
  /** Paths of `hostPath` volumes. */
  hostPaths?: string[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  /** Init and regular containers (not ephemeral ones): images and command lines, for the security audit. */
  containers?: ContainerInfo[];
  /** `spec.serviceAccountName`; absent means `default`. */
  serviceAccountName?: string;
  /** `spec.automountServiceAccountToken`, only when set. */
  automountServiceAccountToken?: boolean;
}

/** One container of a pod, as the security audit reads it. */
export interface ContainerInfo {
  name: string;
  /** The image reference as written in the spec, e.g. `nginx:latest` or `registry.k8s.io/etcd@sha256:…`. */
  image: string;
  /** `Always`, `IfNotPresent` or `Never`; absent when the spec leaves it to the API server's default. */
  imagePullPolicy?: string;
  /** `command` then `args`, as the container runs them. */
  command: string[];
}

/** A networking.k8s.io/v1 NetworkPolicy: which pods it selects and which directions it governs. */
export interface NetworkPolicyInfo {
  namespace: string;
  name: string;
  /** `{}` selects every pod of the namespace. */
  podSelector: LabelSelector;
  /** `Ingress`, `Egress`; as the API server defaults them (Ingress, plus Egress when egress rules exist). */
  policyTypes: string[];
  /** Number of ingress and egress rules: 0 with the type listed means "deny all" that way. */
  ingressRules: number;
  egressRules: number;
}

/** A core/v1 ServiceAccount. */
export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  /** `automountServiceAccountToken`, only when set. */
  automountServiceAccountToken?: boolean;
}

/** Which pods `listPods` returns; all of them when empty. */
export interface PodQuery {
  namespace?: string;
  nodeName?: string;
  labelSelector?: string;
}

/**
 * How a paged list is consumed: each item is added to an accumulator as its page
 * arrives, and the page is dropped, so memory follows the result, not the cluster.
 * `start` may be called again: a list whose continue token expired starts over.
 */
export interface ListFold<T, A> {
  start(): A;
  add(acc: A, item: T): void;
}

/** A core/v1 Event about one object. */
export interface EventInfo {
  namespace: string;
  /** `Normal` or `Warning`. */
  type: string;
  reason?: string;
  message?: string;
  count: number;
  /** When it last happened (lastTimestamp, else eventTime, else creation). */
  lastSeen?: string;
  firstSeen?: string;
  /** The component that reported it, e.g. `kubelet`. */
  source?: string;
  object: { kind: string; name: string; namespace?: string };
}

/** Which object's events to read. */
export interface EventQuery {
  namespace: string;
  kind: string;
  name: string;
}

/** A Lease; for nodes, the kubelet's heartbeat in kube-node-lease. */
export interface LeaseInfo {
  namespace: string;
  name: string;
  holderIdentity?: string;
  renewTime?: string;
  leaseDurationSeconds?: number;
}

/** A PodDisruptionBudget and its status counters. */
export interface PdbInfo {
  namespace: string;
  name: string;
  selector: LabelSelector;
  /** `status.disruptionsAllowed`: 0 means an eviction of a pod it covers is refused. */
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  /** `status.expectedPods`: 0 means it covers no pod and blocks nothing. */
  expectedPods: number;
}

/** The serving certificate an endpoint presented in a TLS handshake. */
export interface ServingCertificate {
  subject: string;
  issuer: string;
  /** ISO 8601. */
  notAfter: string;
  /** The chain verified against the CA the client is configured with. */
  verified: boolean;
}

/**
 * A refused eviction (HTTP 429): a PodDisruptionBudget would be violated. `budget` is
 * the name the API server gave in the Status's `DisruptionBudget` cause; absent when it
 * named none (or the 429 came from elsewhere, e.g. API Priority and Fairness).
 */
export interface EvictionBlocked {
  outcome: 'blocked';
  budget?: string;
}

/** What an eviction request came to: done, no such pod (404), or refused (429). */
export type EvictionResult = 'evicted' | 'gone' | EvictionBlocked;

export interface RbacSubject {
  /** `User`, `Group` or `ServiceAccount`. */
  kind: string;
  name: string;
  namespace?: string;
}

/** A ClusterRoleBinding (no namespace) or a RoleBinding. */
export interface RoleBindingInfo {
  namespace?: string;
  name: string;
  roleRef: { kind: string; name: string };
  subjects: RbacSubject[];
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface ClusterRoleInfo {
  name: string;
  rules: PolicyRule[];
  /** Rules come from other ClusterRoles through an aggregation rule. */
  aggregated: boolean;
  labels: Record<string, string>;
}

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
}
