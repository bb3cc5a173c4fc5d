/**
 * Builders for the rest of what Quorum reads: PodDisruptionBudgets with status,
 * node leases, core/v1 events, namespaces and RBAC objects (re-exported by kube-objects.ts).
 */
import type { KubeObject } from './kube-store.js';

/** A time `agoMs` before now, as the API server writes it (seconds precision). */
export const ago = (agoMs: number) =>
  new Date(Date.now() - agoMs).toISOString().replace(/\.\d+Z$/, 'Z');
/** MicroTime, as leases and events v1 carry it. */
export const agoMicro = (agoMs: number) =>
  new Date(Date.now() - agoMs).toISOString().replace(/Z$/, '000Z');

export interface PdbSpec {
  name: string;
  namespace?: string;
  matchLabels: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
}

/** A policy/v1 PodDisruptionBudget selecting `matchLabels`, with status. */
export function pdb(spec: PdbSpec): KubeObject {
  const current = spec.currentHealthy ?? 2;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: spec.name, namespace: spec.namespace ?? 'default' },
    spec: {
      minAvailable: spec.desiredHealthy ?? current,
      selector: { matchLabels: spec.matchLabels },
    },
    status: {
      observedGeneration: 1,
      disruptionsAllowed: spec.disruptionsAllowed,
      currentHealthy: current,
      desiredHealthy: spec.desiredHealthy ?? current - spec.disruptionsAllowed,
      expectedPods: spec.expectedPods ?? current,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: spec.disruptionsAllowed > 0 ? 'True' : 'False',
          reason: spec.disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods',
          message: '',
          lastTransitionTime: ago(600_000),
          observedGeneration: 1,
        },
      ],
    },
  };
}

/** A node's heartbeat lease in kube-node-lease, renewed `renewedAgoMs` ago. */
export function nodeLease(nodeName: string, renewedAgoMs: number): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: nodeName, namespace: 'kube-node-lease' },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: agoMicro(renewedAgoMs) },
  };
}

export interface EventSpec {
  name: string;
  namespace?: string;
  object: { kind: string; name: string; namespace?: string };
  type?: 'Normal' | 'Warning';
  reason: string;
  message: string;
  count?: number;
  lastSeenAgoMs?: number;
  source?: string;
}

/** A core/v1 Event about `object`, last seen `lastSeenAgoMs` ago. */
export function event(spec: EventSpec): KubeObject {
  const last = ago(spec.lastSeenAgoMs ?? 60_000);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: spec.name, namespace: spec.namespace ?? 'default' },
    involvedObject: { apiVersion: 'v1', ...spec.object },
    type: spec.type ?? 'Normal',
    reason: spec.reason,
    message: spec.message,
    count: spec.count ?? 1,
    firstTimestamp: last,
    lastTimestamp: last,
    source: { component: spec.source ?? 'node-controller' },
    reportingComponent: spec.source ?? 'node-controller',
  };
}

/** A Namespace with the automatic name label. */
export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/** A ClusterRole with the given rules. */
export function clusterRole(name: string, rules: Record<string, unknown>[]): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name },
    rules,
  };
}

type Subject = { kind: string; name: string; namespace?: string };

/** A ClusterRoleBinding of a ClusterRole to subjects. */
export function clusterRoleBinding(name: string, role: string, subjects: Subject[]): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: subjects.map((s) =>
      s.kind === 'ServiceAccount' ? s : { apiGroup: 'rbac.authorization.k8s.io', ...s },
    ),
  };
}

/** A RoleBinding in `ns`. */
export function roleBinding(
  ns: string,
  name: string,
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
  subjects: Subject[],
): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects,
  };
}
