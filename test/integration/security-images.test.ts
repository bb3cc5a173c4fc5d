/**
 * The images phase of the security audit against the Kubernetes API test server, through
 * the real client: pods shaped as the API server returns them (pull policies defaulted on
 * create, statuses with the runtime's imageID, Deployments' pods through their
 * ReplicaSets), folded page by page as `foldPods` reads them — 1,200 generated pods of one
 * Deployment besides the stored ones, so the pass spans several pages of 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeClient } from '../../src/clients/kube.js';
import type { Finding } from '../../src/domain/report.js';
import type { ImageFacts } from '../../src/domain/security-images.js';
import { imageFacts, imageFold } from '../../src/operations/security/image-facts.js';
import { imageFindings } from '../../src/operations/security/image-rules.js';
import {
  kubeStatus,
  startKubeApi,
  type KubeApiServer,
  type RecordedRequest,
} from '../support/index.js';
import { TEMPLATE_HASH, deploymentPods, imagePod } from '../support/kube-pods-images.js';

const DIGEST = `sha256:${'e1'.repeat(32)}`;
const BULK = 1200;

let api: KubeApiServer;

function seed(): void {
  api.store.add(
    ...deploymentPods('web', 3, [{ name: 'web', image: 'nginx:latest' }], 'shop'),
    ...deploymentPods('legacy', 1, [{ name: 'app', image: 'nginx' }], 'shop'),
    ...deploymentPods('pinned', 2, [{ name: 'app', image: `nginx@${DIGEST}` }], 'shop'),
    ...deploymentPods(
      'cache',
      1,
      [{ name: 'redis', image: 'docker.io/library/redis:7.2' }],
      'shop',
    ),
    ...deploymentPods('api', 2, [{ name: 'api', image: 'ghcr.io/acme/api:1.0' }], 'shop'),
    ...deploymentPods(
      'worker',
      1,
      [{ name: 'worker', image: 'ghcr.io/acme/worker:latest', imagePullPolicy: 'IfNotPresent' }],
      'jobs',
    ),
    imagePod({
      name: 'kube-apiserver-cp1',
      namespace: 'kube-system',
      node: 'cp1',
      mirror: true,
      containers: [{ name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:v1.31.4' }],
    }),
    imagePod({
      name: 'coredns-7c65d6cfc9-x4x2b',
      namespace: 'kube-system',
      owner: { kind: 'ReplicaSet', name: 'coredns-7c65d6cfc9' },
      labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': '7c65d6cfc9' },
      containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.3' }],
    }),
    // An old, evicted pod of the now pinned Deployment: it runs nothing.
    imagePod({
      name: `pinned-6b8f7d9c5c-old00`,
      namespace: 'shop',
      phase: 'Failed',
      owner: { kind: 'ReplicaSet', name: 'pinned-6b8f7d9c5c' },
      labels: { 'pod-template-hash': '6b8f7d9c5c' },
      containers: [{ name: 'app', image: 'nginx:latest' }],
    }),
  );
  api.store.generate('Pod', {
    count: BULK,
    make: (i) =>
      imagePod({
        name: `bulk-${TEMPLATE_HASH}-${String(i).padStart(5, '0')}`,
        namespace: 'bulk',
        deployment: 'bulk',
        containers: [{ name: 'app', image: 'example/bulk:latest' }],
        initContainers: [{ name: 'migrate', image: 'example/migrate:2.0' }],
      }),
  });
}

interface Pass {
  facts: ImageFacts;
  findings: Finding[];
  podLists: RecordedRequest[];
}

async function pass(allowedRegistries?: string[]): Promise<Pass> {
  const before = api.requests.length;
  const client = kubeClient({ kubeconfig: api.kubeconfig }, {});
  const tally = await client.foldPods(
    {},
    Date.now() + 20_000,
    imageFold(allowedRegistries ? { allowedRegistries } : {}),
  );
  const facts = imageFacts(tally);
  return {
    facts,
    findings: imageFindings(facts, undefined),
    podLists: api.requests
      .slice(before)
      .filter((r) => r.method === 'GET' && r.path === '/api/v1/pods'),
  };
}

const subjects = (p: Pass, id: string) =>
  p.findings.filter((f) => f.id === id && f.severity === 'warn').map((f) => f.subject);

let plain: Pass;
let allowed: Pass;

beforeAll(async () => {
  api = await startKubeApi();
  seed();
  plain = await pass();
  allowed = await pass(['registry.k8s.io', 'ghcr.io/acme']);
}, 60_000);

afterAll(async () => {
  await api?.close();
});

describe('the images phase against the API server', () => {
  it('reads every pod, in pages of 500', () => {
    const stored = 13; // web 3, legacy 1, pinned 2 (+1 evicted), cache 1, api 2, worker 1, kube-system 2
    expect(plain.facts.podsRead).toBe(stored + BULK);
    expect(plain.podLists.length).toBeGreaterThanOrEqual(3);
    expect(plain.podLists.filter((r) => r.query.limit !== '500')).toEqual([]);
    expect(allowed.podLists.filter((r) => r.query.limit !== '500')).toEqual([]);
  });

  it('names the workloads on :latest or no tag, not the pinned ones nor kube-system', () => {
    expect(subjects(plain, 'security.images.mutable-tag')).toEqual([
      'bulk/Deployment/bulk',
      'jobs/Deployment/worker',
      'shop/Deployment/legacy',
      'shop/Deployment/web',
    ]);
    const legacy = plain.findings.find((f) => f.subject === 'shop/Deployment/legacy')!;
    expect(legacy.detail).toContain('app: nginx (no tag: latest)');
    // The API server defaulted its pull policy to Always: not a pull-policy finding.
    expect(legacy.detail).toContain('imagePullPolicy Always');
  });

  it("counts a Deployment's replicas as one workload, every page's pods included", () => {
    const byOwner = new Map(
      plain.facts.issues['mutable-tag'].workloads.map((w) => [`${w.namespace}/${w.owner}`, w]),
    );
    expect(byOwner.get('shop/Deployment/web')).toMatchObject({
      pods: 3,
      containers: [{ container: 'web', image: 'nginx:latest' }],
    });
    expect(byOwner.get('bulk/Deployment/bulk')).toMatchObject({
      pods: BULK,
      containers: [{ container: 'app', image: 'example/bulk:latest' }],
    });
    expect(plain.findings.find((f) => f.subject === 'shop/Deployment/web')!.title).toContain(
      '3 pods',
    );
  });

  it('pins by the digest the pod runs, with a command for that Deployment and pod', () => {
    const web = plain.findings.find((f) => f.subject === 'shop/Deployment/web')!;
    expect(web.remedy).toContain(
      `kubectl get pod web-${TEMPLATE_HASH}-b7q4m -n shop -o jsonpath='{.status.initContainerStatuses[?(@.name=="web")].imageID}{.status.containerStatuses[?(@.name=="web")].imageID}'`,
    );
    expect(web.remedy).toContain('kubectl set image deployment/web -n shop web="nginx@${id#*@}"');
  });

  it('flags IfNotPresent on :latest (set in the spec), and nothing the API server defaulted', () => {
    expect(subjects(plain, 'security.images.pull-policy')).toEqual(['jobs/Deployment/worker']);
    expect(plain.findings.find((f) => f.id === 'security.images.pull-policy')!.title).toBe(
      'jobs/Deployment/worker: imagePullPolicy IfNotPresent on ghcr.io/acme/worker:latest (1 pod)',
    );
  });

  it('checks registries only with an allow-list', () => {
    expect(plain.findings.filter((f) => f.id === 'security.images.registry')).toEqual([]);
    expect(subjects(allowed, 'security.images.registry')).toEqual([
      'bulk/Deployment/bulk',
      'shop/Deployment/cache',
      'shop/Deployment/legacy',
      'shop/Deployment/pinned',
      'shop/Deployment/web',
    ]);
    const cache = allowed.findings.find(
      (f) => f.id === 'security.images.registry' && f.subject === 'shop/Deployment/cache',
    )!;
    expect(cache.detail).toContain('redis: docker.io/library/redis:7.2 (from docker.io)');
  });

  it('reports nothing unchecked: every live pod listed its containers', () => {
    expect(plain.facts).toMatchObject({ podsUnread: 0, livePods: plain.facts.podsRead - 1 });
    expect(plain.findings.filter((f) => f.id === 'security.images.unchecked')).toEqual([]);
  });
});

describe('the images phase when the pods cannot be listed', () => {
  it('is a warning that names why, never ok', async () => {
    const remove = api.onRequest((req) =>
      req.path === '/api/v1/pods'
        ? kubeStatus(
            403,
            'Forbidden',
            'pods is forbidden: User "quorum" cannot list resource "pods"',
          )
        : undefined,
    );
    try {
      const client = kubeClient({ kubeconfig: api.kubeconfig }, {});
      const error = await client.foldPods({}, Date.now() + 10_000, imageFold()).then(
        () => undefined,
        (err: unknown) => String(err),
      );
      expect(error).toBeDefined();
      const findings = imageFindings(undefined, error);
      expect(findings).toEqual([
        expect.objectContaining({ id: 'security.images.unchecked', severity: 'warn' }),
      ]);
    } finally {
      remove();
    }
  });
});
