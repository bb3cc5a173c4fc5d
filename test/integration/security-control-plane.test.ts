/**
 * The control plane's flags read through the real Kubernetes client from the test API
 * server, which serves kube-system's static mirror pods with kubeadm v1.31's command
 * lines. Each finding is named with its pod and flag, and its remedy is run as pasted on
 * the node — against a kubeadm-shaped manifest in a temp dir, with the leading `sudo`
 * stripped (the test runs unprivileged) and /etc/kubernetes and /root under the temp dir —
 * then the pod's command is set from the changed file: the finding is gone.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kubeClient } from '../../src/clients/kube.js';
import type { Finding } from '../../src/domain/report.js';
import { parseComponentCommand } from '../../src/operations/security/component-flags.js';
import {
  controlPlaneFlagFindings,
  gatherControlPlaneFlags,
} from '../../src/operations/security/control-plane-flags.js';
import {
  kube,
  kubeStatus,
  runCommand,
  startKubeApi,
  tmpDir,
  type KubeApiServer,
} from '../support/index.js';
import {
  kubeadmCommand,
  manifestYaml,
  readManifest,
  staticPod,
  type ManifestPod,
  withFlags,
  type StaticComponent,
} from '../support/kube-static-pods.js';

let api: KubeApiServer;

beforeAll(async () => {
  api = await startKubeApi();
});
afterAll(async () => {
  await api?.close();
});
beforeEach(() => {
  api.store.clear('Pod');
});

const audit = async (timeoutMs = 10_000) => {
  const client = kubeClient({ kubeconfig: api.kubeconfig }, {});
  try {
    return controlPlaneFlagFindings(await gatherControlPlaneFlags(client, timeoutMs));
  } catch (err) {
    return controlPlaneFlagFindings(undefined, (err as Error).message);
  }
};
const named = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.id} ${f.subject ?? ''}`.trim());

/** A node's three components, with flags changed per component. */
function seedNode(
  node: string,
  changes: Partial<Record<StaticComponent, Record<string, string | null>>> = {},
  version = 'v1.31.4',
) {
  const components: StaticComponent[] = [
    'kube-apiserver',
    'kube-controller-manager',
    'kube-scheduler',
  ];
  api.store.add(
    ...components.map((component) =>
      staticPod({
        component,
        node,
        version,
        command: withFlags(kubeadmCommand(component), changes[component] ?? {}),
      }),
    ),
    kube.pod({
      name: `etcd-${node}`,
      namespace: 'kube-system',
      node,
      mirror: true,
      labels: { component: 'etcd', tier: 'control-plane' },
      images: ['registry.k8s.io/etcd:3.5.15-0'],
    }),
  );
}

const podCommand = (name: string) =>
  (
    api.store.get('Pod', name, 'kube-system') as unknown as {
      spec: { containers: { command: string[] }[] };
    }
  ).spec.containers[0]!.command;

/** A control-plane node's files, under a temp dir. */
async function nodeRoot() {
  const root = await tmpDir('cp-flags');
  await mkdir(path.join(root, 'root'));
  await mkdir(path.join(root, 'etc/kubernetes/manifests'), { recursive: true });
  return root;
}

/**
 * Runs the remedy's shell lines (the backup, any file it writes, the sed) as pasted, but
 * without `sudo` and with /etc/kubernetes and /root under `root`; the sed's own text is left
 * as it is. Writes the manifest from the pod's command first unless it is there already;
 * then sets the pod's command from the changed file, and returns the file read back.
 */
async function applyOnNode(root: string, finding: Finding, podName: string) {
  const component = podName.replace(/-cp\d$/, '') as StaticComponent;
  const real = `/etc/kubernetes/manifests/${component}.yaml`;
  const file = path.join(root, real);
  await writeFile(file, manifestYaml(component, podCommand(podName)), { flag: 'wx' }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    },
  );
  const lines = (finding.remedy ?? '').split('\n');
  const start = lines.findIndex((l) => l.startsWith('sudo cp -n '));
  const end = lines.findIndex((l) => l.startsWith('sudo sed -i '));
  expect(start, finding.remedy).toBeGreaterThanOrEqual(0);
  expect(end, finding.remedy).toBeGreaterThan(start);
  expect(lines[end]?.endsWith(` ${real}`)).toBe(true);
  const script = lines.slice(start, end + 1).map((line, i, all) => {
    const unsudo = line.replace(/(^|&& )sudo /g, '$1');
    if (i === all.length - 1) return `${unsudo.slice(0, -real.length)}${file}`;
    return unsudo.replace(/(^|[\s'"=])\/(etc\/kubernetes|root)\//g, `$1${root}/$2/`);
  });
  const ran = await runCommand('bash', ['-e', '-c', script.join('\n')]);
  expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: '' });
  const manifest = readManifest(await readFile(file, 'utf8'));
  api.store.update('Pod', podName, 'kube-system', (o) => {
    (
      o as unknown as { spec: { containers: { command: string[] }[] } }
    ).spec.containers[0]!.command = manifest.command;
  });
  return manifest;
}

const SAFE_KUBEADM = [
  'warn security.apiserver.anonymous-auth kube-system/kube-apiserver-cp1 --anonymous-auth',
  'warn security.apiserver.profiling kube-system/kube-apiserver-cp1 --profiling',
  'warn security.apiserver.audit-log kube-system/kube-apiserver-cp1 --audit-policy-file',
  'warn security.apiserver.encryption-config kube-system/kube-apiserver-cp1 --encryption-provider-config',
];

describe('control-plane flags from the static mirror pods', () => {
  it("kubeadm's own command lines: only what kubeadm leaves at the defaults, per node", async () => {
    seedNode('cp1');
    seedNode('cp2');
    api.store.add(
      kube.pod({
        name: 'kube-proxy-abcde',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-proxy' },
      }),
    );
    const fs = await audit();
    expect(named(fs)).toEqual([
      ...SAFE_KUBEADM,
      ...SAFE_KUBEADM.map((s) => s.replace(/cp1/g, 'cp2')),
      'warn security.controller-manager.profiling kube-system/kube-controller-manager-cp1 --profiling',
      'warn security.controller-manager.profiling kube-system/kube-controller-manager-cp2 --profiling',
      'warn security.scheduler.profiling kube-system/kube-scheduler-cp1 --profiling',
      'warn security.scheduler.profiling kube-system/kube-scheduler-cp2 --profiling',
    ]);
    const lists = api.requestsTo('GET', '/api/v1/namespaces/kube-system/pods');
    expect(lists.map((r) => r.query.labelSelector)).toEqual(['tier=control-plane']);
  });

  it("the issue's kube-apiserver: anonymous, profiling, no audit log — named, and gone once fixed", async () => {
    seedNode(
      'cp1',
      { 'kube-apiserver': { '--anonymous-auth': 'true', '--profiling': 'true' } },
      'v1.32.2',
    );
    const before = await audit();
    const ids = ['anonymous-auth', 'profiling', 'audit-log'].map((r) => `security.apiserver.${r}`);
    const found = ids.map((id) => before.find((f) => f.id === id));
    expect(found.map((f) => f?.subject)).toEqual([
      'kube-system/kube-apiserver-cp1 --anonymous-auth',
      'kube-system/kube-apiserver-cp1 --profiling',
      'kube-system/kube-apiserver-cp1 --audit-policy-file',
    ]);
    expect(found[0]?.remedy).toContain('delete `- --anonymous-auth=true`');
    expect(found[1]?.remedy).toContain('change `- --profiling=true` to `- --profiling=false`');
    const root = await nodeRoot();
    let manifest: ManifestPod | undefined;
    for (const f of found) manifest = await applyOnNode(root, f!, 'kube-apiserver-cp1');
    if (!manifest) throw new Error('no remedy applied');
    const cmd = parseComponentCommand(manifest.command);
    expect(cmd.binary).toBe('kube-apiserver');
    expect(cmd.flags.get('profiling')?.value).toBe('false');
    expect(cmd.flags.has('anonymous-auth')).toBe(false);
    expect(cmd.flags.get('audit-log-path')?.value).toBe('/var/log/kubernetes/audit/audit.log');
    expect(manifest.volumes.map((v) => `${v.name} ${v.hostPath?.path}`)).toEqual(
      expect.arrayContaining([
        'audit-log /var/log/kubernetes/audit',
        'audit-policy /etc/kubernetes/audit',
        'authentication-config /etc/kubernetes/authn',
        'k8s-certs /etc/kubernetes/pki',
      ]),
    );
    expect(manifest.mounts.find((m) => m.name === 'audit-log')).toEqual({
      mountPath: '/var/log/kubernetes/audit',
      name: 'audit-log',
      readOnly: false,
    });
    const policy = parse(await readFile(`${root}/etc/kubernetes/audit/policy.yaml`, 'utf8')) as {
      kind: string;
      rules: { level: string }[];
    };
    expect([policy.kind, policy.rules[0]?.level]).toEqual(['Policy', 'Metadata']);
    const authn = parse(
      await readFile(`${root}/etc/kubernetes/authn/authentication-config.yaml`, 'utf8'),
    ) as { kind: string; anonymous: { enabled: boolean; conditions: { path: string }[] } };
    expect(authn.kind).toBe('AuthenticationConfiguration');
    expect(authn.anonymous.conditions.map((c) => c.path)).toContain('/livez');
    await expect(readFile(`${root}/root/kube-apiserver.yaml.orig`, 'utf8')).resolves.toContain(
      '- --anonymous-auth=true',
    );
    const after = await audit();
    expect(after.filter((f) => ids.includes(f.id))).toEqual([]);
    expect(named(after)).toContain(
      'info security.apiserver.authentication-config kube-system/kube-apiserver-cp1 --authentication-config',
    );
  });

  const CASES: {
    finding: string;
    component: StaticComponent;
    flags: Record<string, string | null>;
    severity: string;
    fixed: (cmd: ReturnType<typeof parseComponentCommand>) => unknown;
    want: unknown;
  }[] = [
    {
      finding: 'security.apiserver.profiling',
      component: 'kube-apiserver',
      flags: { '--profiling': 'true' },
      severity: 'warn',
      fixed: (c) => c.flags.get('profiling')?.value,
      want: 'false',
    },
    {
      finding: 'security.apiserver.audit-log',
      component: 'kube-apiserver',
      flags: { '--audit-policy-file': '/etc/kubernetes/audit/policy.yaml' },
      severity: 'warn',
      fixed: (c) => c.flags.get('audit-log-maxsize')?.value,
      want: '100',
    },
    {
      finding: 'security.apiserver.authorization-mode',
      component: 'kube-apiserver',
      flags: { '--authorization-mode': 'AlwaysAllow' },
      severity: 'crit',
      fixed: (c) => c.flags.get('authorization-mode')?.value,
      want: 'Node,RBAC',
    },
    {
      finding: 'security.apiserver.authorization-mode',
      component: 'kube-apiserver',
      flags: { '--authorization-mode': null },
      severity: 'crit',
      fixed: (c) => c.flags.get('authorization-mode')?.value,
      want: 'Node,RBAC',
    },
    {
      finding: 'security.apiserver.admission',
      component: 'kube-apiserver',
      flags: { '--enable-admission-plugins': 'PodSecurity' },
      severity: 'warn',
      fixed: (c) => c.flags.get('enable-admission-plugins')?.value,
      want: 'PodSecurity,NodeRestriction',
    },
    {
      finding: 'security.apiserver.encryption-config',
      component: 'kube-apiserver',
      flags: {},
      severity: 'warn',
      fixed: (c) => c.flags.get('encryption-provider-config')?.value,
      want: '/etc/kubernetes/enc/encryption-config.yaml',
    },
    {
      finding: 'security.apiserver.service-account-lookup',
      component: 'kube-apiserver',
      flags: { '--service-account-lookup': 'false' },
      severity: 'warn',
      fixed: (c) => c.flags.get('service-account-lookup')?.value,
      want: 'true',
    },
    {
      finding: 'security.controller-manager.profiling',
      component: 'kube-controller-manager',
      flags: {},
      severity: 'warn',
      fixed: (c) => c.flags.get('profiling')?.value,
      want: 'false',
    },
    {
      finding: 'security.controller-manager.bind-address',
      component: 'kube-controller-manager',
      flags: { '--bind-address': '0.0.0.0' },
      severity: 'warn',
      fixed: (c) => c.flags.get('bind-address')?.value,
      want: '127.0.0.1',
    },
    {
      finding: 'security.scheduler.profiling',
      component: 'kube-scheduler',
      flags: { '--profiling': 'True' },
      severity: 'warn',
      fixed: (c) => c.flags.get('profiling')?.value,
      want: 'false',
    },
    {
      finding: 'security.scheduler.bind-address',
      component: 'kube-scheduler',
      flags: { '--bind-address': null },
      severity: 'warn',
      fixed: (c) => c.flags.get('bind-address')?.value,
      want: '127.0.0.1',
    },
  ];

  it.each(CASES)('$finding ($component $flags): named, and its sed fixes it', async (c) => {
    seedNode('cp1', { [c.component]: c.flags });
    const pod = `${c.component}-cp1`;
    const f = (await audit()).find(
      (x) => x.id === c.finding && x.subject?.startsWith(`kube-system/${pod} `),
    );
    expect(f?.severity).toBe(c.severity);
    expect(f?.title.startsWith(`${pod}: `)).toBe(true);
    const manifest = await applyOnNode(await nodeRoot(), f!, pod);
    const cmd = parseComponentCommand(manifest.command);
    expect(c.fixed(cmd)).toBe(c.want);
    expect(cmd.binary).toBe(c.component);
    expect(cmd.positional).toEqual([]);
    const after = await audit();
    expect(after.filter((x) => x.id === c.finding && x.subject === f!.subject)).toEqual([]);
  });

  it('a flag written as two list items (`- --bind-address`, `- 0.0.0.0`): the sed joins them', async () => {
    seedNode('cp1');
    const command = [...withFlags(kubeadmCommand('kube-scheduler'), { '--bind-address': null })];
    command.push('--bind-address', '0.0.0.0');
    api.store.add(staticPod({ component: 'kube-scheduler', node: 'cp1', command }));
    const f = (await audit()).find((x) => x.id === 'security.scheduler.bind-address');
    expect(f?.title).toContain('`- --bind-address` and `- 0.0.0.0`');
    const manifest = await applyOnNode(await nodeRoot(), f!, 'kube-scheduler-cp1');
    expect(manifest.command.slice(-2)).toEqual(['--leader-elect=true', '--bind-address=127.0.0.1']);
    expect((await audit()).map((x) => x.id)).not.toContain('security.scheduler.bind-address');
  });

  it('anonymous requests on 1.31: named, the remedy says upgrade and gives no flip to false', async () => {
    seedNode('cp1', { 'kube-apiserver': { '--anonymous-auth': 'true' } });
    const f = (await audit()).find((x) => x.id === 'security.apiserver.anonymous-auth');
    expect(f?.subject).toBe('kube-system/kube-apiserver-cp1 --anonymous-auth');
    expect(f?.remedy).toContain('Upgrade to 1.32 or later');
    expect(f?.remedy).not.toContain('--anonymous-auth=false');
  });
});

describe('when the flags cannot be read', () => {
  it('no control-plane pods (a managed control plane): one warning, never ok', async () => {
    api.store.add(kube.pod({ name: 'coredns-1', namespace: 'kube-system' }));
    expect(named(await audit())).toEqual(['warn security.control-plane.unchecked']);
  });

  it('the list refused: the same warning, with the error', async () => {
    const remove = api.onRequest((req) =>
      req.path.endsWith('/kube-system/pods')
        ? kubeStatus(
            403,
            'Forbidden',
            'pods is forbidden: User "quorum" cannot list resource "pods"',
          )
        : undefined,
    );
    try {
      const fs = await audit();
      expect(named(fs)).toEqual(['warn security.control-plane.unchecked']);
      expect(fs[0]?.detail).toContain('forbidden');
    } finally {
      remove();
    }
  });

  it('an API server that does not answer: the warning by the deadline', async () => {
    seedNode('cp1');
    const release = api.hang();
    try {
      const started = Date.now();
      const fs = await audit(1_000);
      expect(named(fs)).toEqual(['warn security.control-plane.unchecked']);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      release();
    }
  });
});
