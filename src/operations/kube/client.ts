/**
 * What the Kubernetes operations need from one cluster's API server, declared by
 * its user. The concrete adapter over @kubernetes/client-node lives in
 * src/clients/kube.ts; tests hand in the same adapter pointed at a local server.
 *
 * Every call ends by `deadline` (epoch ms, wall clock) at the latest; a list is read in
 * pages, each page bounded by the time left when the list began. Failures are
 * QuorumErrors: KUBE_UNREACHABLE (no answer, TLS, timeout — the message names the
 * server), KUBE_UNAUTHORIZED (401), KUBE_FORBIDDEN (403), KUBE_OPERATION_FAILED.
 */
import type {
  ClusterRoleInfo,
  EventInfo,
  EventQuery,
  EvictionResult,
  LeaseInfo,
  ListFold,
  NamespaceInfo,
  NetworkPolicyInfo,
  NodeInfo,
  PdbInfo,
  PodInfo,
  PodQuery,
  RoleBindingInfo,
  ServiceAccountInfo,
  ServingCertificate,
} from '../../domain/kube.js';

/** The Kubernetes API calls the operations make; each bounded by its `deadline`. */
export interface KubeClient {
  /** The API server's URL, for messages. */
  readonly server: string;
  /** `gitVersion` from GET /version, e.g. `v1.31.4`. */
  version(deadline: number): Promise<string>;
  listNodes(deadline: number): Promise<NodeInfo[]>;
  /** Undefined when no such node exists. */
  getNode(name: string, deadline: number): Promise<NodeInfo | undefined>;
  /** Patches `spec.unschedulable` (cordon / uncordon); returns the node as patched. */
  setUnschedulable(name: string, unschedulable: boolean, deadline: number): Promise<NodeInfo>;
  /** Pods kept whole: for queries the caller knows are small (one node, one namespace). */
  listPods(query: PodQuery, deadline: number): Promise<PodInfo[]>;
  /** Pods folded page by page: for the whole cluster, where only the result may stay in memory. */
  foldPods<A>(query: PodQuery, deadline: number, fold: ListFold<PodInfo, A>): Promise<A>;
  /** Events whose involvedObject is the given object (field selector). */
  listEvents(query: EventQuery, deadline: number): Promise<EventInfo[]>;
  /** The node's heartbeat Lease in kube-node-lease; undefined when absent. */
  getNodeLease(name: string, deadline: number): Promise<LeaseInfo | undefined>;
  /** PodDisruptionBudgets of one namespace, or of all when omitted. */
  listPdbs(namespace: string | undefined, deadline: number): Promise<PdbInfo[]>;
  /** A policy/v1 Eviction: honours PodDisruptionBudgets. Never deletes by force. */
  evictPod(namespace: string, name: string, deadline: number): Promise<EvictionResult>;
  /** A text endpoint of the API server, e.g. `/metrics` or `/readyz?verbose`. */
  rawGet(path: string, deadline: number): Promise<string>;
  /**
   * The certificate the API server presents in a TLS handshake (for its expiry). Read
   * without requiring the chain to verify, so an expired one is still read; `verified`
   * says whether it did. Behind a load balancer: whichever API server answered.
   */
  servingCertificate(deadline: number): Promise<ServingCertificate>;
  listNamespaces(deadline: number): Promise<NamespaceInfo[]>;
  listClusterRoleBindings(deadline: number): Promise<RoleBindingInfo[]>;
  /** RoleBindings of every namespace. */
  listRoleBindings(deadline: number): Promise<RoleBindingInfo[]>;
  listClusterRoles(deadline: number): Promise<ClusterRoleInfo[]>;
  /** Every NetworkPolicy, in all namespaces. */
  listNetworkPolicies(deadline: number): Promise<NetworkPolicyInfo[]>;
  /** ServiceAccounts in all namespaces; with `name`, only those so named (field selector). */
  listServiceAccounts(query: { name?: string }, deadline: number): Promise<ServiceAccountInfo[]>;
}

/** Builds the client for a cluster (the concrete one comes from src/clients/kube.ts). */
export type KubeConnector = (cluster: { kubeconfig?: string; context?: string }) => KubeClient;
