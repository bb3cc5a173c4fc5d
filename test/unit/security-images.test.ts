/**
 * The images phase's pure parts: the pod fold (grouping by workload, what is flagged and
 * what is not, the bounds), the findings (one per workload with its subject, then one for
 * the rest) and the remedies — run as pasted in bash and sh, with `kubectl` answering from
 * a real pod's status and applying `set image` with the real kubectl's `--local`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContainerInfo, PodInfo } from '../../src/domain/kube.js';
import type { Finding } from '../../src/domain/report.js';
import type { ImageWorkload } from '../../src/domain/security-images.js';
import {
  MAX_WORKLOADS,
  imageFacts,
  imageFold,
  type ImageFoldOptions,
} from '../../src/operations/security/image-facts.js';
import {
  MUTABLE_IMAGE_COUNT_COMMAND,
  pinCommand,
} from '../../src/operations/security/image-remedy.js';
import { imageFindings } from '../../src/operations/security/image-rules.js';

const DIGEST = `sha256:${'9f'.repeat(32)}`;

const c = (name: string, image: string, imagePullPolicy?: string): ContainerInfo => ({
  name,
  image,
  command: [],
  ...(imagePullPolicy ? { imagePullPolicy } : {}),
});

/** A pod of Deployment `deployment` (its ReplicaSet `<deployment>-5d9f8c7b6d`), or bare. */
function pod(
  name: string,
  containers: ContainerInfo[],
  over: Partial<PodInfo> & { deployment?: string } = {},
): PodInfo {
  const { deployment, ...rest } = over;
  return {
    namespace: 'shop',
    name,
    phase: 'Running',
    ready: true,
    mirror: false,
    images: containers.map((x) => x.image),
    labels: deployment ? { app: deployment, 'pod-template-hash': '5d9f8c7b6d' } : {},
    restarts: 0,
    containers,
    ...(deployment ? { ownerKind: 'ReplicaSet', ownerName: `${deployment}-5d9f8c7b6d` } : {}),
    ...rest,
  };
}

function run(pods: PodInfo[], options: ImageFoldOptions = {}) {
  const fold = imageFold(options);
  const tally = fold.start();
  for (const p of pods) fold.add(tally, p);
  const facts = imageFacts(tally);
  return { tally, facts, findings: imageFindings(facts, undefined) };
}

const warned = (fs: Finding[], id: string) =>
  fs.filter((f) => f.id === id && f.severity === 'warn').map((f) => f.subject);

describe('the image fold', () => {
  it('names each workload on :latest or no tag once, with its containers and pod count', () => {
    const { facts, findings } = run([
      ...['a', 'b', 'c'].map((x) =>
        pod(`web-5d9f8c7b6d-${x}`, [c('web', 'nginx:latest'), c('log', 'fluent/fluent-bit:3.1')], {
          deployment: 'web',
        }),
      ),
      pod('tools', [c('sh', 'busybox')]),
      pod('pinned', [c('app', `nginx@${DIGEST}`)], { deployment: 'pinned' }),
      pod('tagged', [c('app', 'nginx:1.27')], { deployment: 'tagged' }),
    ]);
    expect(facts.issues['mutable-tag'].workloads).toEqual([
      expect.objectContaining({
        namespace: 'shop',
        owner: 'Deployment/web',
        pods: 3,
        containers: [{ container: 'web', image: 'nginx:latest', registry: 'docker.io' }],
      }),
      expect.objectContaining({ owner: 'Pod/tools', pods: 1 }),
    ]);
    expect(warned(findings, 'security.images.mutable-tag')).toEqual([
      'shop/Deployment/web',
      'shop/Pod/tools',
    ]);
    const web = findings.find((f) => f.subject === 'shop/Deployment/web')!;
    expect(web.title).toContain('nginx:latest');
    expect(web.title).toContain('3 pods');
    expect(web.detail).toContain('web: nginx:latest');
    expect(findings.find((f) => f.subject === 'shop/Pod/tools')!.detail).toContain(
      'sh: busybox (no tag: latest)',
    );
  });

  it("reads kube-system too, where kubeadm's pinned control plane is not flagged", () => {
    const { findings } = run([
      pod('kube-apiserver-cp1', [c('kube-apiserver', 'registry.k8s.io/kube-apiserver:v1.31.4')], {
        namespace: 'kube-system',
        mirror: true,
        ownerKind: 'Node',
        ownerName: 'cp1',
      }),
      pod('etcd-cp1', [c('etcd', 'registry.k8s.io/etcd:3.5.16-0')], {
        namespace: 'kube-system',
        mirror: true,
        ownerKind: 'Node',
        ownerName: 'cp1',
      }),
      pod('cni-x1', [c('cni', 'example/cni:latest')], {
        namespace: 'kube-system',
        ownerKind: 'DaemonSet',
        ownerName: 'cni',
      }),
    ]);
    expect(warned(findings, 'security.images.mutable-tag')).toEqual(['kube-system/DaemonSet/cni']);
  });

  it('a static pod on a moving tag is its own workload, pinned in its manifest', () => {
    const { findings } = run([
      pod('haproxy-cp1', [c('haproxy', 'haproxy')], {
        namespace: 'kube-system',
        mirror: true,
        ownerKind: 'Node',
        ownerName: 'cp1',
      }),
      pod('keepalived-cp1', [c('keepalived', 'osixia/keepalived:2.0.20')], {
        namespace: 'kube-system',
        mirror: true,
        ownerKind: 'Node',
        ownerName: 'cp1',
      }),
    ]);
    const f = findings.find((x) => x.id === 'security.images.mutable-tag')!;
    expect(f.subject).toBe('kube-system/Pod/haproxy-cp1');
    expect(f.remedy).toContain('/etc/kubernetes/manifests/');
    expect(f.remedy).not.toContain('kubectl set image');
  });

  it('flags IfNotPresent and Never on a moving tag, not Always, not a pinned image', () => {
    const { findings } = run([
      pod('a', [c('app', 'nginx:latest', 'IfNotPresent')]),
      pod('b', [c('app', 'nginx', 'Never')]),
      pod('c', [c('app', 'nginx:latest', 'Always')]),
      pod('d', [c('app', 'nginx:1.27', 'IfNotPresent')]),
      pod('e', [c('app', `nginx@${DIGEST}`, 'IfNotPresent')]),
    ]);
    expect(warned(findings, 'security.images.pull-policy')).toEqual(['shop/Pod/a', 'shop/Pod/b']);
    expect(
      findings.find((f) => f.subject === 'shop/Pod/a' && f.id.endsWith('pull-policy'))!.title,
    ).toContain('imagePullPolicy IfNotPresent on nginx:latest');
  });

  it('checks registries only with an allow-list, by host and path prefix', () => {
    const pods = [
      pod('cache', [c('redis', 'docker.io/library/redis:7.2')], { deployment: 'cache' }),
      pod('api', [c('api', 'ghcr.io/acme/api:1.0')], { deployment: 'api' }),
      pod('other', [c('x', 'ghcr.io/acmecorp/x:1.0')], { deployment: 'other' }),
    ];
    expect(run(pods).findings.filter((f) => f.id === 'security.images.registry')).toEqual([]);
    const { findings } = run(pods, { allowedRegistries: ['registry.k8s.io', 'ghcr.io/acme'] });
    expect(warned(findings, 'security.images.registry')).toEqual([
      'shop/Deployment/cache',
      'shop/Deployment/other',
    ]);
    const cache = findings.find((f) => f.subject === 'shop/Deployment/cache')!;
    expect(cache.title).toContain('docker.io');
    expect(cache.detail).toContain('security.allowedRegistries: registry.k8s.io, ghcr.io/acme');
  });

  it('with an allow-list and nothing outside it, says so', () => {
    const { findings } = run([pod('api', [c('api', 'ghcr.io/acme/api:1.0')])], {
      allowedRegistries: ['ghcr.io/acme'],
    });
    expect(findings.map((f) => `${f.severity} ${f.id}`)).toEqual([
      'ok security.images.mutable-tag',
      'ok security.images.registry',
    ]);
  });

  it('says an image it cannot parse is not checked, and guesses nothing about it', () => {
    const { findings } = run([pod('bad', [c('app', 'Nginx:1.27')], { deployment: 'bad' })], {
      allowedRegistries: ['ghcr.io'],
    });
    expect(findings.map((f) => `${f.severity} ${f.id} ${f.subject ?? ''}`)).toEqual([
      'ok security.images.mutable-tag ',
      'ok security.images.registry ',
      'warn security.images.unparseable shop/Deployment/bad',
    ]);
    const bad = findings.at(-1)!;
    expect(bad.title).toContain('not checked');
    expect(bad.detail).toContain('repository name must be lowercase');
  });

  it('judges only live pods: a Failed (evicted) or Succeeded pod runs nothing', () => {
    const { facts, findings } = run([
      pod('old', [c('app', 'nginx:latest')], { phase: 'Failed' }),
      pod('done', [c('app', 'nginx:latest')], { phase: 'Succeeded' }),
      pod('now', [c('app', 'nginx:1.27')]),
    ]);
    expect(facts).toMatchObject({ podsRead: 3, livePods: 1, containers: 1 });
    expect(warned(findings, 'security.images.mutable-tag')).toEqual([]);
  });

  it('a live pod without containers read is a warning that it was not checked', () => {
    const { findings } = run([pod('x', [], { containers: undefined })]);
    expect(findings).toEqual([
      expect.objectContaining({ id: 'security.images.unchecked', severity: 'warn' }),
    ]);
  });

  it('the pod pass failing is a warning, never ok', () => {
    expect(imageFindings(undefined, 'pods is forbidden')).toEqual([
      expect.objectContaining({
        id: 'security.images.unchecked',
        severity: 'warn',
        detail: 'pods is forbidden',
      }),
    ]);
  });

  it('keeps the first 20 workloads in full and the rest as one count each', () => {
    const pods = Array.from({ length: 30 }, (_, w) =>
      Array.from({ length: 4 }, (_, i) =>
        pod(`app-${w}-5d9f8c7b6d-${i}`, [c('app', `nginx`)], { deployment: `app-${w}` }),
      ),
    ).flat();
    const { tally, facts, findings } = run(pods);
    expect(tally.issues['mutable-tag'].kept.size).toBe(MAX_WORKLOADS);
    expect(tally.more.size).toBe(10);
    expect(facts.issues['mutable-tag']).toMatchObject({ totalWorkloads: 30, totalPods: 120 });
    const mutable = findings.filter((f) => f.id === 'security.images.mutable-tag');
    expect(mutable).toHaveLength(MAX_WORKLOADS + 1);
    expect(mutable.filter((f) => f.subject).length).toBe(MAX_WORKLOADS);
    expect(mutable.at(-1)!.title).toBe(
      '… and 10 more workloads (40 pods) run images on a moving tag',
    );
  });

  it('a thousand pods of one workload are one entry; starting over forgets them', () => {
    const fold = imageFold();
    let tally = fold.start();
    for (let i = 0; i < 1000; i++)
      fold.add(tally, pod(`web-5d9f8c7b6d-${i}`, [c('web', 'nginx')], { deployment: 'web' }));
    expect([...tally.issues['mutable-tag'].kept.values()]).toEqual([
      expect.objectContaining({ pods: 1000, containers: [expect.anything()] }),
    ]);
    tally = fold.start();
    expect(imageFacts(tally).issues['mutable-tag'].totalPods).toBe(0);
  });

  it('refuses an allow-list entry that is no registry before reading any pod', () => {
    expect(() => imageFold({ allowedRegistries: ['https://ghcr.io/acme'] })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(path.join(tmpdir(), 'quorum-image-remedy-'));

/** A Pod as the API server returns it, its container's imageID as the runtime reported it. */
function podJson(imageID: string): string {
  const file = path.join(dir, `pod-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-5d9f8c7b6d-a', namespace: 'shop' },
      spec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36' }],
        containers: [{ name: 'web', image: 'nginx:latest' }],
      },
      status: {
        phase: 'Running',
        initContainerStatuses: [
          { name: 'init', image: 'docker.io/library/busybox:1.36', imageID: `busybox@${DIGEST}` },
        ],
        containerStatuses: [{ name: 'web', image: 'docker.io/library/nginx:latest', imageID }],
      },
    }),
  );
  return file;
}

const deployment = path.join(dir, 'deployment.json');
writeFileSync(
  deployment,
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          initContainers: [{ name: 'init', image: 'busybox:1.36' }],
          containers: [{ name: 'web', image: 'nginx:latest' }],
        },
      },
    },
  }),
);

/**
 * `kubectl` for the pasted line: `get pod NAME -n NS -o jsonpath=…` evaluates the jsonpath
 * on $POD with the real kubectl; `set image KIND/NAME -n NS C=IMAGE` applies it to $DEP
 * with the real kubectl's --local and prints the target and the containers' images after it.
 */
const KUBECTL_FN = `kubectl() {
  case "$1 $2" in
    "get pod") [ "$3 $4 $5 $6" = "web-5d9f8c7b6d-a -n shop -o" ] || { echo "bad get: $*" >&2; return 9; }
      command kubectl set image --local -f "$POD" 'web=changed:1' -o "$7" ;;
    "set image") echo "$3 $4 $5"
      command kubectl set image --local -f "$DEP" "$6" -o 'jsonpath={.spec.template.spec.initContainers[0].image} {.spec.template.spec.containers[0].image}' ;;
    *) echo "unexpected: $*" >&2; return 9 ;;
  esac
}`;

function paste(shell: string, line: string, pod: string) {
  const r = spawnSync(shell, ['-c', `${KUBECTL_FN}\n${line}`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, POD: pod, DEP: deployment },
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

const web: ImageWorkload = {
  namespace: 'shop',
  owner: 'Deployment/web',
  pods: 3,
  pod: 'web-5d9f8c7b6d-a',
  static: false,
  containers: [],
  moreContainers: 0,
};

describe.skipIf(!hasKubectl)('the remedies, pasted into a shell', () => {
  const pin = pinCommand(web, { container: 'web', image: 'nginx:latest' })!;

  it.each(['bash', 'sh'])(
    '%s: pins the Deployment to the digest the node runs (containerd)',
    (shell) => {
      const r = paste(shell, pin, podJson(`docker.io/library/nginx@${DIGEST}`));
      expect(r).toEqual({
        code: 0,
        out: `deployment/web -n shop\nbusybox:1.36 nginx@${DIGEST}`,
        err: '',
      });
    },
  );

  it('reads the digest from a docker-pullable:// imageID (cri-dockerd) the same way', () => {
    const r = paste('bash', pin, podJson(`docker-pullable://nginx@${DIGEST}`));
    expect(r.out).toBe(`deployment/web -n shop\nbusybox:1.36 nginx@${DIGEST}`);
  });

  it('an init container is found by its name too', () => {
    const line = pinCommand(web, { container: 'init', image: 'busybox' })!;
    const r = paste('bash', line, podJson(`docker.io/library/nginx@${DIGEST}`));
    expect(r).toEqual({
      code: 0,
      out: `deployment/web -n shop\nbusybox@${DIGEST} nginx:latest`,
      err: '',
    });
  });

  it('changes nothing when the status holds no digest (a local image)', () => {
    const r = paste('bash', pin, podJson(`sha256:${'ab'.repeat(32)}`));
    expect(r.code).toBe(0);
    expect(r.out).toBe(`no digest in web-5d9f8c7b6d-a's status for web: sha256:${'ab'.repeat(32)}`);
  });
});

describe('the count of images on a moving tag, pasted', () => {
  it('keeps :latest and untagged images, drops tagged and digested ones', () => {
    const images = [
      'nginx:latest',
      'nginx',
      'nginx',
      'localhost:5000/app',
      'localhost:5000/app:v1',
      'nginx:1.27',
      `nginx@${DIGEST}`,
      `nginx:latest@${DIGEST}`,
      'registry.k8s.io/etcd:3.5.16-0',
    ].join(' ');
    const r = spawnSync(
      'bash',
      ['-c', `kubectl() { echo '${images}'; }\n${MUTABLE_IMAGE_COUNT_COMMAND}`],
      {
        encoding: 'utf8',
      },
    );
    expect(
      r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    ).toEqual(['2 nginx', '1 nginx:latest', '1 localhost:5000/app']);
  });
});
