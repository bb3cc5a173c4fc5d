/**
 * Who may do what, read through the Kubernetes API: the subjects bound to cluster-admin
 * (or a ClusterRole with the same `*` rules) and the service accounts that can read every
 * Secret through a ClusterRoleBinding; namespaces without a Pod Security Admission
 * `enforce` label; pods outside kube-system that are privileged or use the host's
 * network, PIDs or filesystem. Pure: kube-audit.ts reads the API.
 */
import type {
  ClusterRoleInfo,
  ListFold,
  NamespaceInfo,
  PodInfo,
  PolicyRule,
  RbacSubject,
  RoleBindingInfo,
} from '../../domain/kube.js';
import type {
  ClusterAccessFacts,
  GrantedSubject,
  HostAccessWorkload,
} from '../../domain/security.js';
import { SYSTEM_NAMESPACES } from './system-namespaces.js';

export const PSA_ENFORCE = 'pod-security.kubernetes.io/enforce';
/** Bound to cluster-admin by kubeadm: the admin.conf and super-admin.conf identities. */
const DEFAULT_ADMINS = new Set(['Group/system:masters', 'Group/kubeadm:cluster-admins']);

/** Everyone, or every account: bound to a powerful role, critical whatever the role. */
export const BROAD = new Set([
  'system:anonymous',
  'system:unauthenticated',
  'system:authenticated',
  'system:serviceaccounts',
]);

const has = (list: readonly string[], ...values: string[]) =>
  list.includes('*') || values.some((v) => list.includes(v));

/** A rule that allows everything on every resource: what cluster-admin is. */
const isWildcard = (r: PolicyRule) =>
  !r.resourceNames?.length &&
  r.apiGroups.includes('*') &&
  r.resources.includes('*') &&
  r.verbs.includes('*');

/** get, list or watch on every Secret (no resourceNames). */
const readsSecrets = (r: PolicyRule) =>
  !r.resourceNames?.length &&
  has(r.apiGroups, '') &&
  has(r.resources, 'secrets') &&
  has(r.verbs, 'get', 'list', 'watch');

const isServiceAccount = (s: RbacSubject) =>
  s.kind === 'ServiceAccount' ||
  (s.kind === 'Group' && s.name.startsWith('system:serviceaccounts'));

function granted(b: RoleBindingInfo, s: RbacSubject, builtIn: boolean): GrantedSubject {
  return {
    kind: s.kind,
    name: s.name,
    ...(s.namespace ? { namespace: s.namespace } : {}),
    via: `ClusterRoleBinding/${b.name}`,
    role: b.roleRef.name,
    builtIn,
  };
}

/** A Kubernetes or kubeadm default: system groups, or kube-system accounts bound by a `system:` binding. */
function builtInSubject(b: RoleBindingInfo, s: RbacSubject): boolean {
  if (DEFAULT_ADMINS.has(`${s.kind}/${s.name}`)) return true;
  if (s.kind === 'ServiceAccount')
    return (
      s.namespace === 'kube-system' &&
      (b.name.startsWith('system:') || b.name.startsWith('kubeadm:'))
    );
  return (
    s.name.startsWith('system:') &&
    !BROAD.has(s.name) &&
    !s.name.startsWith('system:serviceaccounts')
  );
}

export function rbacFacts(
  roles: ClusterRoleInfo[],
  bindings: RoleBindingInfo[],
): Pick<ClusterAccessFacts, 'clusterAdmins' | 'secretReaders'> {
  const byName = new Map(roles.map((r) => [r.name, r]));
  const admin = (name: string) =>
    name === 'cluster-admin' || (byName.get(name)?.rules.some(isWildcard) ?? false);
  const reader = (name: string) => byName.get(name)?.rules.some(readsSecrets) ?? false;
  const clusterAdmins: GrantedSubject[] = [];
  const secretReaders: GrantedSubject[] = [];
  for (const b of bindings) {
    if (b.roleRef.kind !== 'ClusterRole') continue;
    const isAdmin = admin(b.roleRef.name);
    const isReader = !isAdmin && reader(b.roleRef.name);
    for (const s of b.subjects) {
      if (isAdmin) clusterAdmins.push(granted(b, s, builtInSubject(b, s)));
      else if (isReader && (isServiceAccount(s) || BROAD.has(s.name)))
        secretReaders.push(granted(b, s, builtInSubject(b, s)));
    }
  }
  return { clusterAdmins, secretReaders };
}

export function namespaceFacts(
  namespaces: NamespaceInfo[],
): Pick<ClusterAccessFacts, 'unlabelledNamespaces' | 'privilegedNamespaces'> {
  const user = namespaces.filter((n) => !SYSTEM_NAMESPACES.has(n.name));
  return {
    unlabelledNamespaces: user
      .filter((n) => !n.labels[PSA_ENFORCE])
      .map((n) => n.name)
      .sort(),
    privilegedNamespaces: user
      .filter((n) => n.labels[PSA_ENFORCE] === 'privileged')
      .map((n) => n.name)
      .sort(),
  };
}

/** Pods by owning workload, and how many were read: what the pod scan keeps in memory. */
export interface HostAccessTally {
  pods: number;
  byOwner: Map<string, HostAccessWorkload>;
}

function addHostAccess(tally: HostAccessTally, p: PodInfo): void {
  tally.pods += 1;
  if (p.namespace === 'kube-system') return;
  const privileged = Boolean(p.privilegedContainers?.length);
  const hostPaths = p.hostPaths ?? [];
  if (!privileged && !p.hostNetwork && !p.hostPID && !hostPaths.length) return;
  const owner = p.ownerKind && p.ownerName ? `${p.ownerKind}/${p.ownerName}` : `Pod/${p.name}`;
  const key = `${p.namespace}/${owner}`;
  const w = tally.byOwner.get(key) ?? {
    namespace: p.namespace,
    owner,
    pods: 0,
    privileged: false,
    hostNetwork: false,
    hostPID: false,
    hostPaths: [],
  };
  w.pods += 1;
  w.privileged ||= privileged;
  w.hostNetwork ||= Boolean(p.hostNetwork);
  w.hostPID ||= Boolean(p.hostPID);
  w.hostPaths = [...new Set([...w.hostPaths, ...hostPaths])].sort();
  tally.byOwner.set(key, w);
}

/** The pod scan as a fold: one entry per workload with host access, whatever the pod count. */
export const hostAccessFold: ListFold<PodInfo, HostAccessTally> = {
  start: () => ({ pods: 0, byOwner: new Map() }),
  add: addHostAccess,
};

function workloads(tally: HostAccessTally): HostAccessWorkload[] {
  return [...tally.byOwner.values()].sort((a, b) =>
    `${a.namespace}/${a.owner}`.localeCompare(`${b.namespace}/${b.owner}`),
  );
}

export function hostAccessFacts(pods: PodInfo[]): HostAccessWorkload[] {
  const tally = hostAccessFold.start();
  for (const p of pods) addHostAccess(tally, p);
  return workloads(tally);
}

/** The access facts from what kube-audit.ts read: RBAC, namespaces and the pod pass's tally. */
export function clusterAccessFacts(
  roles: ClusterRoleInfo[],
  bindings: RoleBindingInfo[],
  namespaces: NamespaceInfo[],
  pods: HostAccessTally,
): ClusterAccessFacts {
  return {
    ...rbacFacts(roles, bindings),
    ...namespaceFacts(namespaces),
    hostAccess: workloads(pods),
    podsRead: pods.pods,
  };
}
