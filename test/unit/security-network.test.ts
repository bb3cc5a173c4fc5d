/**
 * The security audit's networking and service-account rules, pure: what counts as a default
 * deny (policyTypes defaulted as the API server does), Egress only when asked, the control
 * plane's namespaces exempt, unselected pods grouped per workload, default-token pods counted
 * per namespace, and the combined fold that lets one pod list feed them all.
 */
import { describe, expect, it } from 'vitest';
import { toNetworkPolicyInfo } from '../../src/clients/kube-map.js';
import type { ListFold, NetworkPolicyInfo, PodInfo } from '../../src/domain/kube.js';
import type { Finding } from '../../src/domain/report.js';
import type { NetworkFacts } from '../../src/domain/security-network.js';
import { combineFolds } from '../../src/operations/kube/combine-folds.js';
import {
  deniesByDefault,
  networkFacts,
  policiesByNamespace,
  unselectedPodsFold,
  workloadOf,
} from '../../src/operations/security/network-facts.js';
import { networkFindings } from '../../src/operations/security/network-rules.js';
import {
  defaultTokenPodsFold,
  serviceAccountFacts,
} from '../../src/operations/security/service-account-facts.js';
import { serviceAccountFindings } from '../../src/operations/security/service-account-rules.js';

const policy = (p: Partial<NetworkPolicyInfo> & { namespace: string }): NetworkPolicyInfo => ({
  name: 'p',
  podSelector: {},
  policyTypes: ['Ingress'],
  ingressRules: 0,
  egressRules: 0,
  ...p,
});

const pod = (p: Partial<PodInfo> & { namespace: string; name: string }): PodInfo => ({
  phase: 'Running',
  ready: true,
  mirror: false,
  images: [],
  labels: {},
  restarts: 0,
  ...p,
});

/** Pods of Deployment `name`: owned by its ReplicaSet, labelled with the template hash. */
const deployment = (namespace: string, name: string, labels: Record<string, string>, n: number) =>
  Array.from({ length: n }, (_, i) =>
    pod({
      namespace,
      name: `${name}-5d8f7c9b4-${i}`,
      ownerKind: 'ReplicaSet',
      ownerName: `${name}-5d8f7c9b4`,
      labels: { ...labels, 'pod-template-hash': '5d8f7c9b4' },
    }),
  );

function fold<A>(f: ListFold<PodInfo, A>, pods: PodInfo[]): A {
  const acc = f.start();
  for (const p of pods) f.add(acc, p);
  return acc;
}

const ns = (...names: string[]) => names.map((name) => ({ name, labels: {} }));

function facts(namespaces: string[], policies: NetworkPolicyInfo[], pods: PodInfo[] = []) {
  const tally = fold(unselectedPodsFold(policiesByNamespace(policies)), pods);
  return networkFacts(ns(...namespaces), policies, tally);
}

const ids = (fs: Finding[]) =>
  fs.map((f) => `${f.severity} ${f.id}${f.subject ? ` ${f.subject}` : ''}`);

describe('what a default deny is', () => {
  it('every pod selected, the direction governed, no rule that way', () => {
    expect(deniesByDefault(policy({ namespace: 'a' }), 'Ingress')).toBe(true);
    expect(deniesByDefault(policy({ namespace: 'a' }), 'Egress')).toBe(false);
    const both = policy({ namespace: 'a', policyTypes: ['Ingress', 'Egress'] });
    expect(deniesByDefault(both, 'Egress')).toBe(true);
  });

  it('a policy with a podSelector is no default deny, however empty its rules', () => {
    const web = policy({ namespace: 'a', podSelector: { matchLabels: { app: 'web' } } });
    expect(deniesByDefault(web, 'Ingress')).toBe(false);
    const exists = policy({
      namespace: 'a',
      podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
    });
    expect(deniesByDefault(exists, 'Ingress')).toBe(false);
  });

  it('a rule (even the allow-all `- {}`) makes it no deny', () => {
    expect(deniesByDefault(policy({ namespace: 'a', ingressRules: 1 }), 'Ingress')).toBe(false);
  });

  it('an Egress-only policy denies no Ingress', () => {
    const egress = policy({ namespace: 'a', policyTypes: ['Egress'] });
    expect(deniesByDefault(egress, 'Ingress')).toBe(false);
    expect(deniesByDefault(egress, 'Egress')).toBe(true);
  });

  it('policyTypes left out default as the API server does: Ingress, Egress only with egress rules', () => {
    expect(deniesByDefault(policy({ namespace: 'a', policyTypes: [] }), 'Ingress')).toBe(true);
    expect(deniesByDefault(policy({ namespace: 'a', policyTypes: [] }), 'Egress')).toBe(false);
    const mapped = toNetworkPolicyInfo({
      metadata: { name: 'deny', namespace: 'a' },
      spec: { podSelector: {} },
    });
    expect(mapped.policyTypes).toEqual(['Ingress']);
    expect(deniesByDefault(mapped, 'Ingress')).toBe(true);
    const withEgress = toNetworkPolicyInfo({
      metadata: { name: 'out', namespace: 'a' },
      spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] },
    });
    expect(withEgress.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(deniesByDefault(withEgress, 'Ingress')).toBe(true);
    expect(deniesByDefault(withEgress, 'Egress')).toBe(false);
  });
});

describe('namespace findings', () => {
  const namespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'shop', 'pay'];

  it('names each application namespace without a default-deny Ingress; the control plane is exempt', () => {
    const f = facts(namespaces, [policy({ namespace: 'pay', name: 'deny' })]);
    expect(f.namespaces.map((n) => n.namespace)).toEqual(['default', 'pay', 'shop']);
    const findings = networkFindings(f, undefined, false);
    expect(ids(findings)).toEqual([
      'warn security.network.default-deny default',
      'warn security.network.default-deny shop',
      'info security.network.enforcement',
    ]);
    expect(findings[1]?.remedy).toContain(
      "printf 'apiVersion: networking.k8s.io/v1\\nkind: NetworkPolicy\\nmetadata:\\n  name: default-deny-ingress\\n  namespace: shop\\n",
    );
  });

  it('a policy selecting app=web leaves the namespace named, its policy given', () => {
    const f = facts(
      ['shop'],
      [policy({ namespace: 'shop', name: 'web-in', podSelector: { matchLabels: { app: 'web' } } })],
    );
    const [warn] = networkFindings(f, undefined, false);
    expect(warn?.subject).toBe('shop');
    expect(warn?.detail).toContain('(web-in)');
  });

  it('Egress only when asked for', () => {
    const f = facts(
      ['shop', 'pay'],
      [policy({ namespace: 'pay', policyTypes: ['Ingress', 'Egress'] })],
    );
    expect(ids(networkFindings(f, undefined, false)).filter((i) => i.includes('egress'))).toEqual(
      [],
    );
    const asked = networkFindings(f, undefined, true);
    expect(ids(asked).filter((i) => i.includes('egress'))).toEqual([
      'warn security.network.default-deny-egress shop',
    ]);
    const egress = asked.find((x) => x.id === 'security.network.default-deny-egress');
    expect(egress?.remedy).toContain('name: allow-dns-egress');
    expect(egress?.remedy).toMatch(/`printf '[^`']+' \| kubectl apply -f -`/);
  });

  it('all denied: one ok per direction, and enforcement still noted once', () => {
    const policies = ['a', 'b'].map((n) =>
      policy({ namespace: n, name: 'deny', policyTypes: ['Ingress', 'Egress'] }),
    );
    expect(
      ids(networkFindings(facts(['a', 'b', 'kube-system'], policies), undefined, true)),
    ).toEqual([
      'ok security.network.default-deny',
      'ok security.network.default-deny-egress',
      'info security.network.enforcement',
    ]);
  });

  it('nothing to say of a cluster with no application namespace and no policy', () => {
    expect(networkFindings(facts(['kube-system'], []), undefined, true)).toEqual([]);
  });

  it('unreadable is a warning that says so, never an ok', () => {
    const [f, ...rest] = networkFindings(undefined, 'list networkpolicies: 403 Forbidden', false);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'security.network.unchecked', severity: 'warn' });
    expect(f?.detail).toContain('403');
  });
});

describe('pods no policy selects', () => {
  const policies = [
    policy({
      namespace: 'shop',
      name: 'web-in',
      podSelector: { matchLabels: { app: 'web' } },
      ingressRules: 1,
    }),
    policy({
      namespace: 'shop',
      name: 'db-out',
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Egress'],
      egressRules: 1,
    }),
    policy({ namespace: 'denied', name: 'deny' }),
    policy({ namespace: 'kube-system', name: 'x', podSelector: { matchLabels: { app: 'x' } } }),
  ];
  const pods = [
    ...deployment('shop', 'web', { app: 'web' }, 2),
    ...deployment('shop', 'db', { app: 'db' }, 3),
    pod({
      namespace: 'shop',
      name: 'agent-x',
      ownerKind: 'DaemonSet',
      ownerName: 'agent',
      labels: { app: 'agent' },
    }),
    pod({ namespace: 'shop', name: 'debug' }),
    pod({
      namespace: 'shop',
      name: 'migrate-1',
      phase: 'Succeeded',
      ownerKind: 'Job',
      ownerName: 'migrate',
    }),
    pod({ namespace: 'shop', name: 'crashed', phase: 'Failed' }),
    pod({
      namespace: 'shop',
      name: 'waiting',
      phase: 'Pending',
      ownerKind: 'StatefulSet',
      ownerName: 'pg',
    }),
    ...deployment('denied', 'api', { app: 'api' }, 2),
    ...deployment('open', 'api', { app: 'api' }, 2),
    ...deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, 2),
  ];

  it('grouped per workload with counts, a Deployment by its name; finished pods not counted', () => {
    const f = facts(['shop', 'denied', 'open', 'kube-system'], policies, pods);
    // db is selected only for Egress: its Ingress is open. denied has a default deny; open has
    // no policy at all (its default-deny finding covers it); kube-system is exempt.
    expect(f.unselected).toEqual([
      { namespace: 'shop', owner: 'DaemonSet/agent', pods: 1 },
      { namespace: 'shop', owner: 'Deployment/db', pods: 3 },
      { namespace: 'shop', owner: 'Pod/debug', pods: 1 },
      { namespace: 'shop', owner: 'StatefulSet/pg', pods: 1 },
    ]);
    expect(f.namespaces.find((n) => n.namespace === 'shop')?.pods).toBe(8);
    const [finding] = networkFindings(f, undefined, false).filter(
      (x) => x.id === 'security.network.unselected',
    );
    expect(finding?.subject).toBe('shop');
    expect(finding?.title).toBe(
      'shop: no NetworkPolicy selects DaemonSet/agent (1 pod), Deployment/db (3 pods), Pod/debug (1 pod), StatefulSet/pg (1 pod) for Ingress',
    );
    expect(finding?.detail).toContain('6 pods running or pending in 4 workloads');
    expect(finding?.remedy).toContain('`kubectl describe networkpolicy -n shop`');
  });

  it('matchExpressions select as the API server does', () => {
    const tiers = [
      policy({
        namespace: 'shop',
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] },
        ingressRules: 1,
      }),
    ];
    const f = facts(['shop'], tiers, pods);
    expect(f.unselected.map((w) => w.owner)).toEqual([
      'DaemonSet/agent',
      'Pod/debug',
      'StatefulSet/pg',
    ]);
  });

  it("a ReplicaSet that is no Deployment's keeps its own name", () => {
    const rs = pod({ namespace: 'a', name: 'x-1', ownerKind: 'ReplicaSet', ownerName: 'legacy' });
    expect(workloadOf(rs)).toBe('ReplicaSet/legacy');
    expect(workloadOf(deployment('a', 'web', {}, 1)[0]!)).toBe('Deployment/web');
  });

  it('the fold keeps one entry per workload, and starts over clean', () => {
    const f = unselectedPodsFold(policiesByNamespace(policies));
    const many = deployment('shop', 'db', { app: 'db' }, 5_000);
    const first = fold(f, many);
    expect([...first.unselected.values()]).toEqual([
      { namespace: 'shop', owner: 'Deployment/db', pods: 5_000 },
    ]);
    expect(fold(f, many.slice(0, 2)).unselected.get('shop/Deployment/db')?.pods).toBe(2);
  });
});

describe('default ServiceAccount tokens', () => {
  const accounts = [
    { namespace: 'shop', name: 'default' },
    { namespace: 'pay', name: 'default', automountServiceAccountToken: false },
    { namespace: 'empty', name: 'default' },
    { namespace: 'kube-system', name: 'default' },
    { namespace: 'shop', name: 'web' },
  ];
  const pods = [
    pod({ namespace: 'shop', name: 'a', serviceAccountName: 'default' }),
    pod({ namespace: 'shop', name: 'b' }), // no name: default
    pod({ namespace: 'shop', name: 'opted-out', automountServiceAccountToken: false }),
    pod({ namespace: 'shop', name: 'own', serviceAccountName: 'web' }),
    pod({ namespace: 'shop', name: 'done', phase: 'Succeeded' }),
    pod({ namespace: 'pay', name: 'c' }),
    pod({ namespace: 'kube-system', name: 'k' }),
  ];

  it('names namespaces whose default account does not set automount false, with the pods that get its token', () => {
    const f = serviceAccountFacts(accounts, fold(defaultTokenPodsFold, pods));
    expect(f.automounting).toEqual([
      { namespace: 'empty', pods: 0 },
      { namespace: 'shop', pods: 2 },
    ]);
    const findings = serviceAccountFindings(f, undefined);
    expect(ids(findings)).toEqual([
      'warn security.serviceaccount.automount empty',
      'warn security.serviceaccount.automount shop',
    ]);
    expect(findings[1]?.title).toContain('(2 now)');
    expect(findings[1]?.remedy).toContain(
      '`kubectl patch serviceaccount default -n shop -p \'{"automountServiceAccountToken":false}\'`',
    );
    expect(findings[0]?.detail).toContain('No running or pending pod in empty');
  });

  it('all off: one ok; unreadable: a warning that says so', () => {
    const off = accounts.map((a) => ({ ...a, automountServiceAccountToken: false }));
    expect(ids(serviceAccountFindings(serviceAccountFacts(off, new Map()), undefined))).toEqual([
      'ok security.serviceaccount.automount',
    ]);
    expect(ids(serviceAccountFindings(undefined, 'timeout'))).toEqual([
      'warn security.serviceaccount.unchecked',
    ]);
  });
});

describe('one pod list for every fold', () => {
  it('each fold keeps its own accumulator, fresh on every start', () => {
    const combined = combineFolds({
      tokens: defaultTokenPodsFold,
      network: unselectedPodsFold(
        new Map([
          [
            'shop',
            [
              policy({
                namespace: 'shop',
                ingressRules: 1,
                podSelector: { matchLabels: { app: 'web' } },
              }),
            ],
          ],
        ]),
      ),
    });
    const pods = deployment('shop', 'db', { app: 'db' }, 3);
    const acc = fold(combined, pods);
    expect(acc.tokens.get('shop')).toBe(3);
    expect(acc.network.unselected.get('shop/Deployment/db')?.pods).toBe(3);
    expect(fold(combined, []).tokens.size).toBe(0);
  });

  it('facts carry no pod, only counts and names', () => {
    const web = policy({
      namespace: 'shop',
      podSelector: { matchLabels: { app: 'web' } },
      ingressRules: 1,
    });
    const f: NetworkFacts = facts(['shop'], [web], deployment('shop', 'db', { app: 'db' }, 3));
    expect(f.unselected).toHaveLength(1);
    expect(JSON.stringify(f)).not.toContain('5d8f7c9b4-');
  });
});
