/**
 * The key counts a snapshot's sidecar records for drills: count-only range reads (etcd
 * counts server-side and sends a number, no keys) at the revision the snapshot is taken
 * at, in total and per Kubernetes resource prefix of a fixed list. Cheap next to the
 * snapshot itself. Never fails the snapshot: when a count cannot be had at exactly that
 * revision there are no counts, and a drill of that snapshot proves the restore only.
 */
import type { SnapshotCounts } from '../../domain/snapshot.js';
import type { EtcdMember } from './client.js';

/**
 * The resources every cluster has, as the API server keys them (`/registry/<resource>/`,
 * an API group's resources under `/registry/<group>/<resource>/`). Nodes are `minions`.
 */
export const RESOURCE_PREFIXES: readonly string[] = [
  'namespaces',
  'minions',
  'pods',
  'secrets',
  'configmaps',
  'serviceaccounts',
  'services',
  'persistentvolumes',
  'persistentvolumeclaims',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'jobs',
  'cronjobs',
  'leases',
  'events',
  'roles',
  'rolebindings',
  'clusterroles',
  'clusterrolebindings',
  'apiextensions.k8s.io/customresourcedefinitions',
  'apiregistration.k8s.io/apiservices',
].map((r) => `/registry/${r}/`);

/**
 * `/registry/pods/ns/p` → `/registry/pods/`; an API group's resources keep the group:
 * `/registry/cert-manager.io/certificates/ns/c` → `/registry/cert-manager.io/certificates/`.
 * Keys outside `/registry/` have none.
 */
export function resourcePrefix(key: string): string | undefined {
  if (!key.startsWith('/registry/')) return undefined;
  const parts = key.slice('/registry/'.length).split('/');
  const first = parts[0];
  if (!first || parts.length < 2) return undefined;
  const group = first.includes('.') && parts.length > 2 ? `${parts[1]}/` : '';
  return `/registry/${first}/${group}`;
}

const AT_ONCE = 8;

/** Counts at `revision`; undefined when they cannot be had at exactly that revision. */
export async function countSnapshotKeys(
  member: EtcdMember,
  revision: number,
  timeoutMs: number,
): Promise<SnapshotCounts | undefined> {
  const deadline = Date.now() + timeoutMs;
  try {
    const total = await member.countKeys('', revision, deadline);
    const prefixes: Record<string, number> = {};
    for (let i = 0; i < RESOURCE_PREFIXES.length; i += AT_ONCE) {
      const batch = RESOURCE_PREFIXES.slice(i, i + AT_ONCE);
      const counted = await Promise.all(batch.map((p) => member.countKeys(p, revision, deadline)));
      batch.forEach((p, j) => (prefixes[p] = counted[j] ?? 0));
    }
    return { revision, prefixes, total };
  } catch {
    return undefined;
  }
}
