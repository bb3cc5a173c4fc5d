/**
 * The security audit's networking and service-account phases against the Kubernetes API
 * test server, through the real @kubernetes/client-node adapter: namespaces without a
 * default-deny NetworkPolicy named, a Deployment no policy selects named with its pods,
 * `default` ServiceAccounts that mount their token counted per namespace — and each
 * remedy, pasted into a shell whose `kubectl` keeps what it is given, fixes what it names.
 * Every list is paged (limit=500) and the pods are read once. At scale, the pod pass
 * keeps one entry per workload however many pods.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kubeClient } from '../../src/clients/kube.js';
import type { Finding } from '../../src/domain/report.js';
import type { NetworkAndAccountFacts } from '../../src/domain/security-network.js';
import { gatherKubeAudit } from '../../src/operations/security/kube-audit.js';
import { networkFindings } from '../../src/operations/security/network-rules.js';
import { serviceAccountFindings } from '../../src/operations/security/service-account-rules.js';
import {
  kube,
  kubeStatus,
  startKubeApi,
  type KubeApiServer,
  type KubeObject,
} from '../support/index.js';
import { seedLargeCluster } from '../support/kube-large.js';
import { pasteWithKubectl } from '../support/paste.js';
import {
  admittedPod,
  allowFrom,
  defaultDenyIngress,
  deploymentPods,
  networkPolicy,
  serviceAccount,
} from '../support/kube-netpol.js';

const KINDS = ['Namespace', 'Pod', 'NetworkPolicy', 'ServiceAccount'];

let api: KubeApiServer;

/**
 * shop: no NetworkPolicy, a 2-pod Deployment on the default account. billing: a default
 * deny, its default account automount false. storefront: one policy selecting app=web; web
 * runs as its own account, db's 3 pods as default, a finished migration and a pod that opts
 * out do not count. kube-system: CoreDNS, no policy, the default account as kubeadm leaves it.
 */
function seedCluster(store: KubeApiServer['store']): void {
  for (const kind of KINDS) store.clear(kind);
  store.add(
    ...['default', 'kube-system', 'kube-public', 'kube-node-lease', 'shop', 'billing'].map((n) =>
      kube.namespace(n),
    ),
    kube.namespace('storefront'),
    serviceAccount('default'),
    serviceAccount('kube-system'),
    serviceAccount('kube-public', 'default', false),
    serviceAccount('kube-node-lease', 'default', false),
    serviceAccount('shop'),
    serviceAccount('billing', 'default', false),
    serviceAccount('storefront'),
    serviceAccount('storefront', 'web'),
    ...deploymentPods({ namespace: 'shop', name: 'cart', labels: { app: 'cart' }, replicas: 2 }),
    ...deploymentPods({
      namespace: 'billing',
      name: 'invoices',
      labels: { app: 'invoices' },
      replicas: 2,
      as: { automount: false },
    }),
    defaultDenyIngress('billing'),
    allowFrom('storefront', 'web', 'gateway'),
    ...deploymentPods({
      namespace: 'storefront',
      name: 'web',
      labels: { app: 'web' },
      replicas: 2,
      as: { serviceAccount: 'web' },
    }),
    ...deploymentPods({ namespace: 'storefront', name: 'db', labels: { app: 'db' }, replicas: 3 }),
    admittedPod({
      name: 'migrate-28931040-zq7xk',
      namespace: 'storefront',
      phase: 'Succeeded',
      owner: { kind: 'Job', name: 'migrate-28931040' },
      labels: { app: 'migrate' },
    }),
    admittedPod(
      { name: 'report', namespace: 'storefront', labels: { app: 'report' } },
      { automount: false },
    ),
    ...deploymentPods({
      namespace: 'kube-system',
      name: 'coredns',
      hash: '7c65d6cfc9',
      labels: { 'k8s-app': 'kube-dns' },
      replicas: 2,
      as: { serviceAccount: 'coredns' },
    }),
  );
}

async function gather(): Promise<NetworkAndAccountFacts> {
  return (await gatherKubeAudit(kubeClient({ kubeconfig: api.kubeconfig }, {}), 5_000)).network;
}

async function audit(requireEgressDeny = false): Promise<Finding[]> {
  const facts = await gather();
  return [
    ...networkFindings(facts.network, facts.networkError, requireEgressDeny),
    ...serviceAccountFindings(facts.accounts, facts.accountsError),
  ];
}

const withId = (fs: Finding[], id: string) => fs.filter((f) => f.id === id);
const subjects = (fs: Finding[], id: string) => withId(fs, id).map((f) => f.subject);
const about = (fs: Finding[], id: string, subject: string) =>
  withId(fs, id).find((f) => f.subject === subject);

/** The one-line command in a remedy's backticks that starts with `start`. */
function commandIn(f: Finding | undefined, start: string): string {
  const m = new RegExp('`(' + start + '[^`]+)`').exec(f?.remedy ?? '');
  expect(m, f?.remedy).toBeTruthy();
  return m![1]!;
}

/** What `kubectl apply -f -` was given, as objects; added to the store as the API server would. */
async function applyPasted(command: string): Promise<KubeObject[]> {
  const { args, stdin } = await pasteWithKubectl(command);
  expect(args).toEqual(['apply', '-f', '-']);
  const objects = parseAllDocuments(stdin).map((d) => d.toJS() as KubeObject);
  api.store.add(...objects);
  return objects;
}

beforeAll(async () => {
  api = await startKubeApi();
});

afterAll(async () => {
  await api?.close();
});

beforeEach(() => {
  seedCluster(api.store);
  api.requests.length = 0;
});

describe('NetworkPolicies', () => {
  it('names each application namespace without a default-deny Ingress policy, not the others', async () => {
    const findings = await audit();
    expect(subjects(findings, 'security.network.default-deny')).toEqual([
      'default',
      'shop',
      'storefront',
    ]);
    const shop = about(findings, 'security.network.default-deny', 'shop');
    expect(shop).toMatchObject({
      severity: 'warn',
      title: 'shop has no default-deny Ingress NetworkPolicy',
    });
    expect(shop?.detail).toContain('No NetworkPolicy in shop');
    expect(shop?.detail).toContain('2 pods running or pending');
    // A policy that selects some pods is not a default deny; its name is given.
    expect(about(findings, 'security.network.default-deny', 'storefront')?.detail).toContain(
      'web-from-gateway',
    );
    // No Egress finding unless asked for.
    expect(withId(findings, 'security.network.default-deny-egress')).toEqual([]);
  });

  it("names the app=db Deployment no policy selects, with its pods, and not app=web's", async () => {
    const findings = await audit();
    const unselected = withId(findings, 'security.network.unselected');
    expect(unselected.map((f) => f.subject)).toEqual(['storefront']);
    const [f] = unselected;
    expect(f?.severity).toBe('warn');
    expect(f?.title).toBe(
      'storefront: no NetworkPolicy selects Deployment/db (3 pods), Pod/report (1 pod) for Ingress',
    );
    expect(f?.title).not.toContain('web');
    // The finished migration holds no port: not counted.
    expect(f?.detail).not.toContain('migrate');
    expect(f?.detail).toContain('4 pods running or pending in 2 workloads');
  });

  it('says once that enforcement by the CNI cannot be seen, with a command to see the CNI', async () => {
    const findings = await audit();
    const [info, ...more] = withId(findings, 'security.network.enforcement');
    expect(more).toEqual([]);
    expect(info?.severity).toBe('info');
    expect(info?.title).toBe(
      'Whether the CNI enforces NetworkPolicies cannot be seen from the API',
    );
    expect(info?.detail).toContain('2 NetworkPolicies read');
    expect(commandIn(info, 'kubectl get daemonsets')).toContain('grep -Ei');
  });

  it('the pasted default-deny remedy makes the policy, and the findings go', async () => {
    const before = await audit();
    const [made] = await applyPasted(
      commandIn(about(before, 'security.network.default-deny', 'shop'), 'printf'),
    );
    expect(made).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-ingress', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    // storefront's remedy also ends its unselected workloads: the default deny covers them.
    await applyPasted(
      commandIn(about(before, 'security.network.default-deny', 'storefront'), 'printf'),
    );
    const after = await audit();
    expect(subjects(after, 'security.network.default-deny')).toEqual(['default']);
    expect(withId(after, 'security.network.unselected')).toEqual([]);
  });

  it('with Egress required, names namespaces without a default-deny Egress; the pasted remedy fixes it', async () => {
    const before = await audit(true);
    expect(subjects(before, 'security.network.default-deny-egress')).toEqual([
      'billing',
      'default',
      'shop',
      'storefront',
    ]);
    const made = await applyPasted(
      commandIn(about(before, 'security.network.default-deny-egress', 'shop'), 'printf'),
    );
    expect(made.map((o) => o.metadata.name)).toEqual(['default-deny-egress', 'allow-dns-egress']);
    expect(made[1]).toMatchObject({ spec: { egress: [{ ports: [{ port: 53 }, { port: 53 }] }] } });
    const after = await audit(true);
    expect(subjects(after, 'security.network.default-deny-egress')).toEqual([
      'billing',
      'default',
      'storefront',
    ]);
    // Its Ingress is still open: the Egress policies are no Ingress deny.
    expect(subjects(after, 'security.network.default-deny')).toContain('shop');
  });

  it('a policy list the API refuses is unchecked, not clean; service accounts still checked', async () => {
    const release = api.onRequest((req) =>
      req.path.includes('networkpolicies')
        ? kubeStatus(403, 'Forbidden', 'networkpolicies.networking.k8s.io is forbidden')
        : undefined,
    );
    try {
      const findings = await audit();
      expect(withId(findings, 'security.network.unchecked')).toMatchObject([
        { severity: 'warn', detail: expect.stringContaining('forbidden') as unknown },
      ]);
      expect(withId(findings, 'security.network.default-deny')).toEqual([]);
      expect(subjects(findings, 'security.serviceaccount.automount')).toContain('shop');
    } finally {
      release();
    }
  });
});

describe('default ServiceAccount tokens', () => {
  it('names namespaces whose default account mounts its token, with the pods that have it', async () => {
    const findings = await audit();
    expect(subjects(findings, 'security.serviceaccount.automount')).toEqual([
      'default',
      'shop',
      'storefront',
    ]);
    const shop = about(findings, 'security.serviceaccount.automount', 'shop');
    expect(shop?.severity).toBe('warn');
    expect(shop?.title).toContain('(2 now)');
    expect(shop?.detail).toContain('2 running or pending pods in shop run as default');
    // db's 3 pods; not web (its own account), the pod that opts out, the finished one.
    expect(about(findings, 'security.serviceaccount.automount', 'storefront')?.detail).toContain(
      '3 running or pending pods in storefront',
    );
    expect(about(findings, 'security.serviceaccount.automount', 'default')?.detail).toContain(
      'No running or pending pod in default',
    );
  });

  it('the pasted patch turns automount off, and the namespace is no longer named', async () => {
    const before = await audit();
    const command = commandIn(
      about(before, 'security.serviceaccount.automount', 'shop'),
      'kubectl patch',
    );
    const { args } = await pasteWithKubectl(command);
    expect(args.slice(0, 6)).toEqual(['patch', 'serviceaccount', 'default', '-n', 'shop', '-p']);
    const patch = JSON.parse(args[6]!) as Record<string, unknown>;
    expect(patch).toEqual({ automountServiceAccountToken: false });
    api.store.update('ServiceAccount', 'default', 'shop', (sa) => Object.assign(sa, patch));
    const after = await audit();
    expect(subjects(after, 'security.serviceaccount.automount')).toEqual(['default', 'storefront']);
  });
});

describe('requests', () => {
  it('pages every list (limit=500), reads the pods once, and asks only for default accounts', async () => {
    await audit();
    const lists = api.requests.filter((r) => r.method === 'GET');
    // One pass over the pods feeds every fold of the audit; RBAC is read beside it.
    expect(lists.map((r) => r.path).sort()).toEqual([
      '/api/v1/namespaces',
      '/api/v1/pods',
      '/api/v1/serviceaccounts',
      '/apis/networking.k8s.io/v1/networkpolicies',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    ]);
    for (const r of lists) expect(r.query.limit, r.path).toBe('500');
    expect(api.requestsTo('GET', '/api/v1/serviceaccounts')[0]?.query.fieldSelector).toBe(
      'metadata.name=default',
    );
  });
});

describe('at scale', () => {
  let large: KubeApiServer;
  beforeAll(async () => {
    large = await startKubeApi();
  });
  afterAll(async () => {
    await large?.close();
  });

  it('12,000 pods in 40 namespaces with a policy for app=api each: one entry per Deployment', async () => {
    const cluster = seedLargeCluster(large.store, { workers: 20, pods: 12_000, namespaces: 40 });
    const namespaces = Array.from({ length: 40 }, (_, n) => `team-${String(n).padStart(5, '0')}`);
    large.store.add(
      ...namespaces.map((ns) =>
        networkPolicy({ name: 'api', namespace: ns, podSelector: { matchLabels: { app: 'api' } } }),
      ),
      ...namespaces.map((ns) => serviceAccount(ns)),
    );
    const { network: facts } = await gatherKubeAudit(
      kubeClient({ kubeconfig: large.kubeconfig }, {}),
      20_000,
    );
    expect(facts.podsRead).toBe(cluster.pods);
    const unselected = facts.network?.unselected ?? [];
    // team-00000 runs the node-agent DaemonSet; every other namespace one web Deployment.
    expect(unselected.map((w) => `${w.namespace}/${w.owner}`)).toEqual([
      'team-00000/DaemonSet/node-agent',
      ...namespaces.slice(1).map((ns) => `${ns}/Deployment/web-${ns.slice('team-'.length)}`),
    ]);
    const appPods = cluster.pods - large.store.list('Pod', 'kube-system').length;
    expect(unselected.reduce((sum, w) => sum + w.pods, 0)).toBe(appPods);
    const tokens = facts.accounts?.automounting ?? [];
    expect(tokens).toHaveLength(40);
    expect(tokens.reduce((sum, n) => sum + n.pods, 0)).toBe(appPods);
    const pages = large.requestsTo('GET', '/api/v1/pods');
    expect(pages.length).toBeGreaterThanOrEqual(24);
    for (const r of pages) expect(r.query.limit).toBe('500');
  });
});
