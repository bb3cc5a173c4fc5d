/**
 * Findings about NetworkPolicies, from network-facts.ts: an application namespace with no
 * default-deny Ingress policy is a warning (and Egress too, when the operator requires it);
 * so are workloads in namespaces with policies that none selects for Ingress. Whether the
 * CNI enforces any of it cannot be read from the API: that is said, once, with how to check.
 * Every remedy is one line that runs as pasted.
 */
import type { Finding } from '../../domain/report.js';
import type {
  NamespaceIsolation,
  NetworkFacts,
  UnselectedWorkload,
} from '../../domain/security-network.js';
import { kubectlApplyCommand } from '../kube/apply-command.js';
import { listSome } from '../kube/report.js';
import type { Direction } from './network-facts.js';

const MAX_LINES = 20;
const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;
/** Pods that are not finished: Running, Pending (or Unknown, on a node that stopped reporting). */
const podsNow = (n: number) => `${plural(n, 'pod')} running or pending`;

/** A policy's YAML lines; `printf` turns each `\n` into a newline. */
function policyYaml(namespace: string, name: string, direction: Direction, rules: string[] = []) {
  return [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    '  podSelector: {}',
    '  policyTypes:',
    `  - ${direction}`,
    ...rules,
  ];
}

/** DNS to kube-system, so that a default-deny Egress does not stop name resolution. */
const DNS_EGRESS = [
  '  egress:',
  '  - to:',
  '    - namespaceSelector:',
  '        matchLabels:',
  '          kubernetes.io/metadata.name: kube-system',
  '    ports:',
  '    - protocol: UDP',
  '      port: 53',
  '    - protocol: TCP',
  '      port: 53',
];

/**
 * `printf '…' | kubectl apply -f -` making the namespace's default-deny policy (for Egress,
 * with a second policy that still allows DNS).
 */
export function defaultDenyCommand(namespace: string, direction: Direction): string {
  const lines =
    direction === 'Ingress'
      ? policyYaml(namespace, 'default-deny-ingress', 'Ingress')
      : [
          ...policyYaml(namespace, 'default-deny-egress', 'Egress'),
          '---',
          ...policyYaml(namespace, 'allow-dns-egress', 'Egress', DNS_EGRESS),
        ];
  return kubectlApplyCommand(lines);
}

function ingressDetail(n: NamespaceIsolation): string {
  if (!n.policies.length) {
    const now = n.pods ? `its ${podsNow(n.pods)}` : 'the pods it will run (none runs there now)';
    return `No NetworkPolicy in ${n.namespace}: any pod in the cluster may connect to ${now}.`;
  }
  return `${n.namespace}'s NetworkPolicies (${listSome(n.policies, 6)}) deny no Ingress by default: the pods they do not select, and every new workload there, accept connections from any pod.`;
}

/** What a namespace without a default deny one way is told, per direction. */
const DENY = {
  Ingress: {
    id: 'security.network.default-deny',
    denies: (n: NamespaceIsolation) => n.denyIngress,
    detail: ingressDetail,
    remedy: (ns: string) =>
      `First allow what its workloads need with their own policies (or that traffic stops), then deny the rest: \`${defaultDenyCommand(ns, 'Ingress')}\``,
  },
  Egress: {
    id: 'security.network.default-deny-egress',
    denies: (n: NamespaceIsolation) => n.denyEgress,
    detail: (n: NamespaceIsolation) =>
      `security.requireEgressDeny is set, and no policy with podSelector {} denies all Egress in ${n.namespace}: of its ${podsNow(n.pods)}, those no Egress policy selects may connect anywhere — other namespaces, the API server, the internet.`,
    remedy: (ns: string) =>
      `First allow the destinations its workloads need (or those connections stop), then deny the rest; the second policy keeps DNS to kube-system: \`${defaultDenyCommand(ns, 'Egress')}\``,
  },
} as const;

/** One warning per application namespace without a default deny that way, else one ok. */
function denyFindings(f: NetworkFacts, direction: Direction): Finding[] {
  const rule = DENY[direction];
  const open = f.namespaces.filter((n) => !rule.denies(n));
  if (!open.length) {
    return f.namespaces.length
      ? [
          {
            id: rule.id,
            severity: 'ok',
            title: `Every application namespace (${f.namespaces.length}) has a default-deny ${direction} NetworkPolicy`,
          },
        ]
      : [];
  }
  return open.map((n) => ({
    id: rule.id,
    severity: 'warn',
    subject: n.namespace,
    title: `${n.namespace} has no default-deny ${direction} NetworkPolicy`,
    detail: rule.detail(n),
    remedy: rule.remedy(n.namespace),
  }));
}

const workloadText = (w: UnselectedWorkload) => `${w.owner} (${plural(w.pods, 'pod')})`;

function unselectedFindings(f: NetworkFacts): Finding[] {
  const byNamespace = new Map<string, UnselectedWorkload[]>();
  for (const w of f.unselected) {
    const list = byNamespace.get(w.namespace) ?? [];
    list.push(w);
    byNamespace.set(w.namespace, list);
  }
  return [...byNamespace].map(([namespace, workloads]) => {
    const pods = workloads.reduce((sum, w) => sum + w.pods, 0);
    const shown = workloads.slice(0, MAX_LINES).map(workloadText);
    if (workloads.length > MAX_LINES) shown.push(`… and ${workloads.length - MAX_LINES} more`);
    return {
      id: 'security.network.unselected',
      severity: 'warn',
      subject: namespace,
      title: `${namespace}: no NetworkPolicy selects ${listSome(workloads.map(workloadText), 4)} for Ingress`,
      detail: `${podsNow(pods)} in ${plural(workloads.length, 'workload')} ${pods === 1 ? 'accepts' : 'accept'} connections from any pod: no Ingress policy of ${namespace} selects them.\n${shown.join('\n')}`,
      remedy: `See what the policies select: \`kubectl describe networkpolicy -n ${namespace}\`; then give each of these a policy that allows only its clients, or add ${namespace}'s default deny (security.network.default-deny).`,
    };
  });
}

function enforcementFinding(f: NetworkFacts): Finding[] {
  // No policy at all and no application namespace: nothing to enforce, nothing missing.
  if (!f.policies && !f.namespaces.length) return [];
  return [
    {
      id: 'security.network.enforcement',
      severity: 'info',
      title: 'Whether the CNI enforces NetworkPolicies cannot be seen from the API',
      detail: `${plural(f.policies, 'NetworkPolicy', 'NetworkPolicies')} read. A CNI without policy support (flannel alone, for one) accepts them and enforces none.`,
      remedy:
        "See which CNI runs: `kubectl get daemonsets -A -o wide | grep -Ei 'calico|cilium|antrea|weave|kube-router|canal|flannel'` — Calico, Cilium, Antrea, Weave Net, kube-router and Canal enforce NetworkPolicies; flannel alone does not.",
    },
  ];
}

/** The networking findings; `requireEgressDeny` is the config's `security.requireEgressDeny`. */
export function networkFindings(
  facts: NetworkFacts | undefined,
  error: string | undefined,
  requireEgressDeny: boolean,
): Finding[] {
  if (!facts) {
    return [
      {
        id: 'security.network.unchecked',
        severity: 'warn',
        title: 'NetworkPolicies not checked: the Kubernetes API could not be read',
        detail: error,
        remedy:
          "The audit needs list on networkpolicies (networking.k8s.io), namespaces and pods; the Helm chart's ClusterRole has them.",
      },
    ];
  }
  return [
    ...denyFindings(facts, 'Ingress'),
    ...(requireEgressDeny ? denyFindings(facts, 'Egress') : []),
    ...unselectedFindings(facts),
    ...enforcementFinding(facts),
  ];
}
