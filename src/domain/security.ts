/**
 * What the security audit observes and reports: how Secrets are stored in etcd (counts
 * only: a Secret's value never leaves the scan), how etcd answers a stranger, and who
 * may do what through the Kubernetes API. Plain data, so renderers and tests read it.
 */
import type { ImageFacts } from './security-images.js';
import type { NetworkAndAccountFacts } from './security-network.js';
import type { Report } from './report.js';
import type { AuditProgress } from './security-progress.js';

/**
 * How one Secret is stored, from the first bytes of its etcd value. `identity` is
 * plain storage (the identity provider writes no prefix: protobuf `k8s\0` or JSON).
 */
export const SECRET_PROVIDERS = [
  'identity',
  'aescbc',
  'aesgcm',
  'secretbox',
  'kms-v1',
  'kms-v2',
  'unknown',
] as const;
export type SecretProvider = (typeof SECRET_PROVIDERS)[number];

export type ProviderCounts = Record<SecretProvider, number>;

/** How reports name a provider. */
export const PROVIDER_LABEL: Record<SecretProvider, string> = {
  identity: 'unencrypted (identity)',
  aescbc: 'aescbc',
  aesgcm: 'aesgcm',
  secretbox: 'secretbox',
  'kms-v1': 'KMS v1',
  'kms-v2': 'KMS v2',
  unknown: 'unrecognised',
};

export interface NamespaceSecrets {
  namespace: string;
  total: number;
  /** Only providers with at least one Secret. */
  byProvider: Partial<ProviderCounts>;
}

/** The census of `/registry/secrets/`: how many Secrets each provider stored. */
export interface SecretsCensus {
  /** The key prefix walked. */
  prefix: string;
  total: number;
  byProvider: ProviderCounts;
  /** Unencrypted first, then by name. */
  byNamespace: NamespaceSecrets[];
  /** The revision the scan read at (one consistent view), when it stayed pinned. */
  revision?: number;
  pages: number;
  /** The endpoint the scan read from. */
  endpoint: string;
}

/** What a client with no certificate and no credentials got from an etcd endpoint. */
export type AnonymousResult =
  /** The TLS handshake was refused: client-certificate auth is on. */
  | 'refused'
  /** Connected, but reads need a user (etcd authentication is on). */
  | 'auth-required'
  /** Connected and read: anyone who reaches the port reads every key. */
  | 'open'
  /** No answer that tells (unreachable, timeout, an unexpected error). */
  | 'unknown';

export interface EtcdServerCertificate {
  subject: string;
  issuer: string;
  /** ISO 8601. */
  notAfter: string;
  /** DNS names and IP addresses from the subjectAltName extension. */
  names: string[];
  /** The endpoint's host is among the names (as a client checks it). */
  nameMatches: boolean;
  /** The chain verified against the configured CA. */
  verified: boolean;
}

/** How one etcd endpoint answers: its certificate, a stranger, its metrics. */
export interface EtcdEndpointAccess {
  endpoint: string;
  /** https endpoints: the server certificate from a handshake. */
  certificate?: EtcdServerCertificate;
  certificateError?: string;
  anonymous: AnonymousResult;
  /** Why, in a few words: the TLS alert, the error, what etcd said. */
  anonymousDetail?: string;
  /** The metrics URL tried without credentials, and whether it answered. */
  metrics?: { url: string; open: boolean; detail?: string };
  /** The client certificate Quorum itself is configured with (the same for every endpoint). */
  clientCertificate?: { subject: string; notAfter: string };
}

/** One subject and the binding that gives it its power. */
export interface GrantedSubject {
  kind: string;
  name: string;
  namespace?: string;
  /** `ClusterRoleBinding/<name>` or `RoleBinding/<ns>/<name>`. */
  via: string;
  role: string;
  /** A kubeadm or Kubernetes default (system:masters, system:controller:…). */
  builtIn: boolean;
}

/** A pod with host access, grouped by its controller: the DaemonSet's pods count once. */
export interface HostAccessWorkload {
  namespace: string;
  /** `DaemonSet/node-exporter`, or `Pod/name` for a bare pod. */
  owner: string;
  pods: number;
  privileged: boolean;
  hostNetwork: boolean;
  hostPID: boolean;
  hostPaths: string[];
}

export interface ClusterAccessFacts {
  clusterAdmins: GrantedSubject[];
  /** Service accounts (or groups of them) that can read every Secret, cluster-admins excluded. */
  secretReaders: GrantedSubject[];
  /** Namespaces without a `pod-security.kubernetes.io/enforce` label. */
  unlabelledNamespaces: string[];
  /** Namespaces that enforce `privileged` (explicitly no restriction). */
  privilegedNamespaces: string[];
  hostAccess: HostAccessWorkload[];
  /** How many pods the scan read (every page of the cluster-wide list). */
  podsRead?: number;
}

export interface SecurityAuditData {
  encryption?: SecretsCensus;
  /** Why the Secrets could not be read from etcd. */
  encryptionError?: string;
  etcd: {
    endpoints: EtcdEndpointAccess[];
    members?: { name: string; peerUrls: string[]; clientUrls: string[] }[];
    memberListError?: string;
  };
  access?: ClusterAccessFacts;
  /** Why the Kubernetes API could not be read. */
  accessError?: string;
  /** Ids of the critical and warning findings, in the order to fix them. */
  fixFirst: string[];
  /** What changed since the last audit (a job's from Redis, the CLI's from `--since FILE`). */
  progress?: AuditProgress;
  /** NetworkPolicies and the `default` ServiceAccounts' tokens (each with its own error). */
  network?: NetworkAndAccountFacts;
  /** The images pods run: moving tags, registries, pull policies. */
  images?: ImageFacts;
  imagesError?: string;
  /** The control-plane pods whose command lines were read (the lines themselves are not kept). */
  controlPlane?: { component: string; pod: string; node?: string; version?: string }[];
  controlPlaneError?: string;
}

export type SecurityAuditReport = Report<SecurityAuditData>;
