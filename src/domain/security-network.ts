/**
 * What the security audit observes about NetworkPolicies and service-account tokens:
 * which application namespaces deny traffic by default, which workloads no policy
 * selects, and where the `default` ServiceAccount hands its token to every pod. Counts
 * and names only, so renderers and tests read it.
 */

/** One application namespace's NetworkPolicies, as far as default deny goes. */
export interface NamespaceIsolation {
  namespace: string;
  /** Names of its NetworkPolicies, sorted. */
  policies: string[];
  /** A policy with `podSelector: {}`, `Ingress` among its types and no ingress rule. */
  denyIngress: boolean;
  /** The same for `Egress`. */
  denyEgress: boolean;
  /** Running and Pending pods read there. */
  pods: number;
}

/** Running or Pending pods of one workload that no Ingress policy of their namespace selects. */
export interface UnselectedWorkload {
  namespace: string;
  /** `Deployment/db`, `StatefulSet/pg`, `DaemonSet/x`, or `Pod/name` for a bare pod. */
  owner: string;
  pods: number;
}

export interface NetworkFacts {
  /** Application namespaces (not kube-system, kube-public, kube-node-lease), sorted. */
  namespaces: NamespaceIsolation[];
  /** NetworkPolicies read, in every namespace. */
  policies: number;
  /** In namespaces that have policies but no default-deny Ingress; sorted. */
  unselected: UnselectedWorkload[];
}

/** An application namespace whose `default` ServiceAccount does not set automount false. */
export interface AutomountingNamespace {
  namespace: string;
  /** Running or Pending pods there that run as `default` and do not opt out themselves. */
  pods: number;
}

export interface ServiceAccountFacts {
  /** Sorted by namespace. */
  automounting: AutomountingNamespace[];
  /** How many `default` ServiceAccounts were read (one per namespace that has one). */
  defaultAccounts: number;
}

/** The networking and service-account phases, each checked or not with its reason. */
export interface NetworkAndAccountFacts {
  network?: NetworkFacts;
  /** Why the NetworkPolicies (or namespaces, or pods) could not be read. */
  networkError?: string;
  accounts?: ServiceAccountFacts;
  /** Why the ServiceAccounts (or pods) could not be read. */
  accountsError?: string;
  /** Pods read by the one cluster-wide fold; absent when it failed. */
  podsRead?: number;
}
