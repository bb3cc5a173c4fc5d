/**
 * What the upgrade precheck needs to know about a cluster, as gathering it from the
 * Kubernetes API, etcd and the snapshot store will produce it. Plain data (versions as
 * the cluster reports them, times as ISO strings), so a test or a saved inventory can
 * stand in for a live cluster. Nothing here is parsed yet: the precheck parses and
 * reports what it cannot read.
 */
import type { DrillHistory } from '../../domain/drill.js';
import type { PdbInfo as KubePdbInfo } from '../../domain/kube.js';
import type { Severity } from '../../domain/report.js';

export type NodeRole = 'control-plane' | 'worker';

export interface InventoryNode {
  name: string;
  /** `control-plane` when the node has the `node-role.kubernetes.io/control-plane` label. */
  role: NodeRole;
  /** The `Ready` condition is `True`. */
  ready: boolean;
  /** Cordoned already (`spec.unschedulable`): the plan must not uncordon it. */
  unschedulable?: boolean;
  /** `status.nodeInfo.kubeletVersion`, e.g. `v1.31.4`. */
  kubeletVersion: string;
  /**
   * kube-proxy on this node, from its pod's image tag (`status.nodeInfo.kubeProxyVersion`
   * is deprecated and unreliable since 1.31). Absent when kube-proxy does not run (e.g. Cilium).
   */
  kubeProxyVersion?: string;
}

/** One kube-apiserver: the version its static pod runs (image tag), on its node. */
export interface ApiserverInstance {
  node: string;
  /** The image tag or the image, e.g. `registry.k8s.io/kube-apiserver:v1.31.4`. */
  version: string;
}

export type ControlPlaneComponent =
  'kube-controller-manager' | 'kube-scheduler' | 'cloud-controller-manager';

export interface ComponentInstance {
  component: ControlPlaneComponent;
  node: string;
  /** Image tag or image. */
  version: string;
}

export interface ControlPlanePod {
  namespace: string;
  name: string;
  node: string;
  /** `kube-apiserver`, `kube-controller-manager`, `kube-scheduler`, `etcd`, … (the `component` label). */
  component: string;
  /** `status.phase`: `Running`, `Pending`, `Failed`, … */
  phase: string;
  /** Every container ready. */
  ready: boolean;
}

export interface EtcdMemberVersion {
  name: string;
  /** From etcd's status, e.g. `3.5.16`. */
  version: string;
}

/** What the PDB gate reads of a PodDisruptionBudget (domain/kube.ts's, as the client lists them). */
export type PdbInfo = Pick<
  KubePdbInfo,
  'namespace' | 'name' | 'disruptionsAllowed' | 'expectedPods'
>;

/** One entry of `apiserver_requested_deprecated_apis`. */
export interface DeprecatedApiUse {
  /** `''` for the core group. */
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** `1.25`, or `''` when no removal is planned. */
  removedRelease: string;
}

export interface CertExpiry {
  /** What the certificate is, e.g. `kube-apiserver serving certificate` or a file path. */
  name: string;
  /** `notAfter`, ISO 8601. */
  notAfter: string;
}

/** Something gathering could not read: shown as a warning, never silently skipped. */
export interface InventoryGap {
  what: string;
  error: string;
}

export interface UpgradeInventory {
  cluster: string;
  /** `gitVersion` from the API server's `/version`. */
  apiserverVersion: string;
  /** Every kube-apiserver pod (HA control planes have several). */
  apiservers: ApiserverInstance[];
  nodes: InventoryNode[];
  /** kube-controller-manager, kube-scheduler and cloud-controller-manager, per node. */
  components: ComponentInstance[];
  /** The CoreDNS Deployment's image, when found. */
  coreDnsImage?: string;
  etcdMembers: EtcdMemberVersion[];
  /** etcd runs outside the cluster: kubeadm will not upgrade it. */
  etcdExternal?: boolean;
  /** `kubeadm version -o short` on the first control-plane node, when known. */
  kubeadmVersion?: string;
  /** The kubectl the operator uses, when known. */
  kubectlVersion?: string;
  pdbs: PdbInfo[];
  /** kube-system pods of the control plane (`tier=control-plane`). */
  controlPlanePods: ControlPlanePod[];
  /** From `parseDeprecatedApis` over every kube-apiserver's `/metrics`. */
  deprecatedApis: DeprecatedApiUse[];
  /** The API server's serving certificate (from the TLS handshake). */
  apiserverCert?: CertExpiry;
  /** The etcd client certificates (and CA) Quorum is configured with. */
  etcdCerts: CertExpiry[];
  /** Worst severity of an etcd check run just before; absent when it was not run. */
  etcdCheckWorst?: Severity;
  /** The newest verified snapshot of this cluster, if any. */
  newestVerifiedSnapshot?: { id: string; createdAt: string };
  /** This cluster's last drill and last successful one; absent when they were not read. */
  drills?: DrillHistory;
  gaps?: InventoryGap[];
}

/** `key="value",…` with Prometheus's escapes (`\\`, `\"`, `\n`). */
function parseLabels(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const value = (m[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    labels.set(m[1] ?? '', value);
  }
  return labels;
}

/**
 * The deprecated APIs requested since the API server started, from the Prometheus text
 * of its `/metrics` (several servers' texts may be concatenated): one entry per
 * group/version/resource/subresource, in the order first seen. Samples of 0 are skipped.
 */
export function parseDeprecatedApis(metricsText: string): DeprecatedApiUse[] {
  const seen = new Map<string, DeprecatedApiUse>();
  for (const line of metricsText.split('\n')) {
    const m = /^apiserver_requested_deprecated_apis\{(.*)\}\s+(\S+)/.exec(line.trim());
    if (!m?.[1] || Number(m[2]) === 0) continue;
    const l = parseLabels(m[1]);
    const use: DeprecatedApiUse = {
      group: l.get('group') ?? '',
      version: l.get('version') ?? '',
      resource: l.get('resource') ?? '',
      subresource: l.get('subresource') ?? '',
      removedRelease: l.get('removed_release') ?? '',
    };
    const key = [use.group, use.version, use.resource, use.subresource].join('/');
    if (use.version && use.resource && !seen.has(key)) seen.set(key, use);
  }
  return [...seen.values()];
}
