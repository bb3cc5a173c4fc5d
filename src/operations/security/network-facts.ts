/**
 * NetworkPolicy facts, pure: which application namespaces deny Ingress (and Egress) by
 * default — a policy with `podSelector: {}`, the direction among its `policyTypes` and no
 * rule that way — and, in namespaces that have policies but no default deny, which
 * workloads' live pods no Ingress policy selects. The pods come through a fold that
 * keeps one count per namespace and one entry per workload, never a pod.
 */
import type {
  LabelSelector,
  ListFold,
  NamespaceInfo,
  NetworkPolicyInfo,
  PodInfo,
} from '../../domain/kube.js';
import type {
  NamespaceIsolation,
  NetworkFacts,
  UnselectedWorkload,
} from '../../domain/security-network.js';
import { selectorSelects } from '../kube/selector.js';
import { SYSTEM_NAMESPACES } from './system-namespaces.js';

export const isApplicationNamespace = (namespace: string) => !SYSTEM_NAMESPACES.has(namespace);

/** A pod that holds (or waits for) a place on a node: not Succeeded, not Failed. */
export const isLive = (p: PodInfo) => p.phase !== 'Succeeded' && p.phase !== 'Failed';

export type Direction = 'Ingress' | 'Egress';

/** `policyTypes` as the API server defaults them when left out: Ingress, Egress with egress rules. */
export function policyTypesOf(p: NetworkPolicyInfo): string[] {
  return p.policyTypes.length ? p.policyTypes : ['Ingress', ...(p.egressRules ? ['Egress'] : [])];
}

const selectsAll = (s: LabelSelector) =>
  Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;

/** Every pod of the namespace selected, the direction governed, and nothing allowed that way. */
export function deniesByDefault(p: NetworkPolicyInfo, direction: Direction): boolean {
  const rules = direction === 'Ingress' ? p.ingressRules : p.egressRules;
  return selectsAll(p.podSelector) && policyTypesOf(p).includes(direction) && rules === 0;
}

export function policiesByNamespace(
  policies: readonly NetworkPolicyInfo[],
): Map<string, NetworkPolicyInfo[]> {
  const out = new Map<string, NetworkPolicyInfo[]>();
  for (const p of policies) {
    const list = out.get(p.namespace) ?? [];
    list.push(p);
    out.set(p.namespace, list);
  }
  return out;
}

/**
 * The workload a pod belongs to, as `Kind/name`: a ReplicaSet a Deployment made (its name
 * ends with the pods' `pod-template-hash`) counts as the Deployment, so a rollout keeps the
 * name; a pod without a controller is `Pod/<name>`.
 */
export function workloadOf(p: PodInfo): string {
  if (!p.ownerKind || !p.ownerName) return `Pod/${p.name}`;
  const hash = p.labels['pod-template-hash'];
  if (p.ownerKind === 'ReplicaSet' && hash && p.ownerName.endsWith(`-${hash}`))
    return `Deployment/${p.ownerName.slice(0, -hash.length - 1)}`;
  return `${p.ownerKind}/${p.ownerName}`;
}

/** What the pod pass keeps: live pods per application namespace, unselected ones per workload. */
export interface NetworkPodTally {
  podsByNamespace: Map<string, number>;
  /** By `namespace/Kind/name`. */
  unselected: Map<string, UnselectedWorkload>;
}

/**
 * The pod pass as a fold. Only namespaces that have NetworkPolicies but no default-deny
 * Ingress are searched for unselected pods: there a pod no Ingress policy selects accepts
 * connections from anywhere (where none exists, the default-deny finding says so for all).
 */
export function unselectedPodsFold(
  byNamespace: ReadonlyMap<string, readonly NetworkPolicyInfo[]>,
): ListFold<PodInfo, NetworkPodTally> {
  const ingressSelectors = new Map<string, LabelSelector[]>();
  for (const [namespace, policies] of byNamespace) {
    if (!isApplicationNamespace(namespace) || !policies.length) continue;
    if (policies.some((p) => deniesByDefault(p, 'Ingress'))) continue;
    const governing = policies.filter((p) => policyTypesOf(p).includes('Ingress'));
    ingressSelectors.set(
      namespace,
      governing.map((p) => p.podSelector),
    );
  }
  return {
    start: () => ({ podsByNamespace: new Map(), unselected: new Map() }),
    add(tally, p) {
      if (!isLive(p) || !isApplicationNamespace(p.namespace)) return;
      tally.podsByNamespace.set(p.namespace, (tally.podsByNamespace.get(p.namespace) ?? 0) + 1);
      const selectors = ingressSelectors.get(p.namespace);
      if (!selectors || selectors.some((s) => selectorSelects(s, p.labels))) return;
      const owner = workloadOf(p);
      const key = `${p.namespace}/${owner}`;
      const w = tally.unselected.get(key) ?? { namespace: p.namespace, owner, pods: 0 };
      w.pods += 1;
      tally.unselected.set(key, w);
    },
  };
}

function isolation(
  namespace: string,
  policies: readonly NetworkPolicyInfo[],
  pods: number,
): NamespaceIsolation {
  return {
    namespace,
    policies: policies.map((p) => p.name).sort(),
    denyIngress: policies.some((p) => deniesByDefault(p, 'Ingress')),
    denyEgress: policies.some((p) => deniesByDefault(p, 'Egress')),
    pods,
  };
}

/** The facts from the namespaces, the policies and the pod pass's tally. */
export function networkFacts(
  namespaces: readonly NamespaceInfo[],
  policies: readonly NetworkPolicyInfo[],
  tally: NetworkPodTally,
): NetworkFacts {
  const byNamespace = policiesByNamespace(policies);
  return {
    namespaces: namespaces
      .map((n) => n.name)
      .filter(isApplicationNamespace)
      .sort()
      .map((ns) => isolation(ns, byNamespace.get(ns) ?? [], tally.podsByNamespace.get(ns) ?? 0)),
    policies: policies.length,
    unselected: [...tally.unselected.values()].sort((a, b) =>
      `${a.namespace}/${a.owner}`.localeCompare(`${b.namespace}/${b.owner}`),
    ),
  };
}
