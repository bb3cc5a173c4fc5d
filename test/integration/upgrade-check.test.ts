/**
 * `quorum upgrade check` end to end: the real @kubernetes/client-node against the
 * Kubernetes API test server seeded with several inventories, real etcd for the member
 * versions, the etcd check, the snapshot store and the certificate files. Verdict, the
 * finding that decides it, and the exit status are asserted for each.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kubeClient } from '../../src/clients/kube.js';
import { quorum, quorumBin } from '../support/cli.js';
import {
  kube,
  kubeStatus,
  makeExpiredCert,
  sharedCerts,
  startEtcd,
  startKubeApi,
  tmpDir,
  type EtcdCluster,
  type KubeApiServer,
  type KubeObject,
} from '../support/index.js';
import { kubeadmCluster, seedCluster } from '../support/kube-cluster.js';

interface JsonReport {
  status: string;
  exitCode: number;
  couldNotRun?: string;
  findings: { id: string; severity: string; title: string; detail?: string; remedy?: string }[];
  data: {
    verdict: 'go' | 'no-go';
    from: string;
    to: string;
    hops: { from: string; to: string }[];
    plans: { from: string; to: string; steps: { title: string; commands: string[] }[] }[];
    etcd: { members: string[] };
  };
}

let api: KubeApiServer;
let etcd: EtcdCluster;
let env: Record<string, string>;

const seed = (objects: KubeObject[], version?: string) => seedCluster(api.store, objects, version);

const check = async (to: string, vars: Record<string, string> = env, ...flags: string[]) => {
  const r = await quorum(['upgrade', 'check', '--to', to, '--json', ...flags], vars);
  return { ...r, report: JSON.parse(r.stdout || '{}') as JsonReport };
};
const finding = (r: JsonReport, id: string) => r.findings.filter((f) => f.id === id);
const severities = (r: JsonReport, id: string) => finding(r, id).map((f) => f.severity);

beforeAll(async () => {
  [api, etcd] = await Promise.all([startKubeApi(), startEtcd()]);
  const dir = await tmpDir('upgrade-check');
  const config = path.join(dir, 'quorum.yaml');
  // This machine's disk is slower than etcd wants: latency thresholds raised (see relaxedLatencyConfig).
  await writeFile(
    config,
    'check:\n  timeout: 3s\n  thresholds: { walFsyncP99Warn: 10s, walFsyncP99Crit: 20s, backendCommitP99Warn: 10s, backendCommitP99Crit: 20s }\nupgrade:\n  maxSnapshotAge: 1h\n',
  );
  env = {
    ...etcd.env,
    QUORUM_CONFIG: config,
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: path.join(dir, 'snapshots'),
    KUBECONFIG: api.kubeconfig,
  };
  const snap = await quorum(['etcd', 'snapshot'], env);
  expect(snap.code, snap.stderr).toBe(0);
});

afterAll(async () => {
  await Promise.all([api?.close(), etcd?.close()]);
});

beforeEach(() => seed(kubeadmCluster()));

describe('quorum upgrade check', () => {
  it('clean cluster, next minor: GO, exit 0, and the ordered plan with its node names', async () => {
    const { code, report, stderr } = await check('v1.32.0');
    expect(stderr).toBe('');
    expect(report.findings.filter((f) => f.severity === 'crit' || f.severity === 'warn')).toEqual(
      [],
    );
    expect(code).toBe(0);
    expect(report.data.verdict).toBe('go');
    expect(report.data).toMatchObject({ from: '1.31.4', to: '1.32.0' });
    expect(report.data.etcd.members).toEqual(['3.4.23']);
    for (const id of [
      'upgrade.skew.kube-apiserver',
      'upgrade.skew.kubelet',
      'upgrade.skew.kube-proxy',
      'upgrade.gate.nodes-ready',
      'upgrade.gate.control-plane-pods',
      'upgrade.gate.etcd-check',
      'upgrade.gate.snapshot',
      'upgrade.gate.pdb',
      'upgrade.gate.cert.apiserver',
      'upgrade.gate.deprecated-apis',
    ])
      expect(severities(report, id), id).toEqual(['ok']);
    const steps = report.data.plans[0]!.steps.map((s) => `${s.title}: ${s.commands.join(' ; ')}`);
    const at = (re: RegExp) => steps.findIndex((s) => re.test(s));
    expect(at(/Upgrade the control plane on cp-1: sudo kubeadm upgrade apply v1\.32\.0/)).toBe(
      at(/kubeadm upgrade apply/),
    );
    expect(at(/kubeadm upgrade apply/)).toBeLessThan(at(/on cp-2.*kubeadm upgrade node/));
    expect(at(/on cp-2.*kubeadm upgrade node/)).toBeLessThan(at(/Drain worker-1/));
    expect(at(/Drain worker-1/)).toBeLessThan(at(/Uncordon worker-1/));
    expect(at(/Uncordon worker-1/)).toBeLessThan(at(/Drain worker-2/));
    // Every read went to the API server with its real paths.
    expect(api.requestsTo('GET', '/version').length).toBeGreaterThan(0);
    expect(api.requestsTo('GET', '/apis/policy/v1/poddisruptionbudgets')).toHaveLength(1);
    expect(api.requestsTo('GET', '/metrics').length).toBeGreaterThan(0);
  });

  it('prints the verdict and the plan for the terminal', async () => {
    const r = await quorum(['upgrade', 'check', '--to', 'v1.32.0'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✔ upgrade check of prod to 1\.32\.0: GO/);
    expect(r.stdout).toContain('1.31.4 → 1.32.0 · 1 hop');
    expect(r.stdout).toMatch(/PLAN: 1\.31\.4 → 1\.32\.0/);
    expect(r.stdout).toContain('sudo kubeadm upgrade apply v1.32.0');
  });

  it('a kubelet 3 minors behind: NO-GO, it must move before the control plane does', async () => {
    seed([
      ...kubeadmCluster().filter((o) => o.metadata.name !== 'worker-1'),
      kube.node({ name: 'worker-1', kubeletVersion: 'v1.28.15' }),
    ]);
    const { code, report } = await check('v1.32.0');
    expect(code).toBe(2);
    expect(report.data.verdict).toBe('no-go');
    const [before] = finding(report, 'upgrade.skew.kubelet.before-upgrade');
    expect(before?.severity).toBe('crit');
    expect(before?.detail).toContain('worker-1');
  });

  it('a skipped minor becomes hops, each with its own plan: a warning, exit 1', async () => {
    const { code, report } = await check('v1.33.2');
    expect(code).toBe(1);
    expect(report.data.verdict).toBe('go');
    expect(report.data.hops.map((h) => `${h.from} → ${h.to}`)).toEqual([
      '1.31.4 → 1.32.x',
      '1.32.x → 1.33.2',
    ]);
    expect(report.data.plans).toHaveLength(2);
    expect(severities(report, 'upgrade.target')).toEqual(['warn']);
    expect(finding(report, 'upgrade.target')[0]?.title).toMatch(/skips 1 minor: 2 hops/);
  });

  it('HA kube-apiservers two minors apart: NO-GO, exit 2', async () => {
    seed([
      ...kubeadmCluster().filter((o) => !o.metadata.name.endsWith('-cp-2')),
      ...kube.controlPlanePods('cp-2', 'v1.29.10'),
    ]);
    const { code, report } = await check('v1.32.0');
    expect(code).toBe(2);
    expect(report.data.verdict).toBe('no-go');
    const [skew] = finding(report, 'upgrade.skew.kube-apiserver');
    expect(skew?.severity).toBe('crit');
    expect(skew?.title).toMatch(/2 minors apart/);
    expect(skew?.detail).toMatch(/cp-2: registry\.k8s\.io\/kube-apiserver:v1\.29\.10/);
  });

  it('a NotReady node: NO-GO, exit 2, naming the node', async () => {
    seed([
      ...kubeadmCluster().filter((o) => o.metadata.name !== 'worker-2'),
      kube.node({ name: 'worker-2', ready: false }),
    ]);
    const { code, report } = await check('v1.32.0');
    expect(code).toBe(2);
    expect(report.data.verdict).toBe('no-go');
    const [ready] = finding(report, 'upgrade.gate.nodes-ready');
    expect(ready?.severity).toBe('crit');
    expect(ready?.detail).toContain('worker-2 (worker)');
  });

  it('a PodDisruptionBudget that allows no disruption: NO-GO, exit 2', async () => {
    seed([
      ...kubeadmCluster(),
      kube.pdb({
        name: 'db',
        namespace: 'shop',
        matchLabels: { app: 'db' },
        disruptionsAllowed: 0,
      }),
    ]);
    const { code, report } = await check('v1.32.0');
    expect(code).toBe(2);
    expect(report.data.verdict).toBe('no-go');
    const [pdb] = finding(report, 'upgrade.gate.pdb');
    expect(pdb?.severity).toBe('crit');
    expect(pdb?.detail).toContain('shop/db (2 pods)');
  });

  it('a deprecated API still requested and removed by the target: NO-GO, exit 2', async () => {
    api.store.metrics = [
      '# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.',
      '# TYPE apiserver_requested_deprecated_apis gauge',
      'apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="prioritylevelconfigurations",subresource="",version="v1beta3"} 1',
      'apiserver_requested_deprecated_apis{group="autoscaling",removed_release="1.40",resource="horizontalpodautoscalers",subresource="",version="v2beta9"} 1',
      '',
    ].join('\n');
    const { code, report } = await check('v1.32.0');
    expect(code).toBe(2);
    expect(report.data.verdict).toBe('no-go');
    const [removed] = finding(report, 'upgrade.gate.deprecated-apis');
    expect(removed?.severity).toBe('crit');
    expect(removed?.detail).toContain(
      'flowcontrol.apiserver.k8s.io/v1beta3 prioritylevelconfigurations (removed in 1.32)',
    );
    expect(severities(report, 'upgrade.gate.deprecated-apis.later')).toEqual(['info']);
  });

  it('a read that fails is a gap, reported as a warning, never a silent pass', async () => {
    const release = api.onRequest((req) =>
      req.path === '/metrics'
        ? kubeStatus(403, 'Forbidden', 'forbidden: User "quorum" cannot get path "/metrics"')
        : undefined,
    );
    try {
      const { code, report } = await check('v1.32.0');
      expect(code).toBe(1);
      const gaps = finding(report, 'upgrade.inventory.gap');
      expect(gaps.map((g) => g.title)).toEqual([
        "Could not read the API server's /metrics (deprecated APIs requested): the gates that need it are unchecked",
      ]);
      expect(gaps[0]?.detail).toMatch(/403/);
    } finally {
      release();
    }
  });

  it('a snapshot older than upgrade.maxSnapshotAge: NO-GO, exit 2, take one first', async () => {
    const dir = await tmpDir('upgrade-check-config');
    const config = path.join(dir, 'quorum.yaml');
    await writeFile(config, 'upgrade:\n  maxSnapshotAge: 1ms\n');
    const { code, report } = await check('v1.32.0', { ...env, QUORUM_CONFIG: config });
    expect(code).toBe(2);
    const [snapshot] = finding(report, 'upgrade.gate.snapshot');
    expect(snapshot?.severity).toBe('crit');
    expect(snapshot?.title).toMatch(/old \(at most 1ms\)/);
    expect(snapshot?.remedy).toContain('/etcd-snapshot prod');
  });

  it('a bad version: exit 3 with a message naming it and an example, before any read', async () => {
    const before = api.requests.length;
    const r = await quorum(['upgrade', 'check', '--to', '1.32'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('"1.32" is not a Kubernetes version');
    expect(r.stderr).toMatch(/e\.g\. v1\.31\.4/);
    expect(r.stderr).toContain('stable-1.32.txt');
    const missing = await quorum(['upgrade', 'check'], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(
      /Missing --to VERSION.*\n.*e\.g\. quorum upgrade check --to v1\.32\.0/,
    );
    expect(api.requests.length).toBe(before);
  });

  it('an unreachable API server: exit 3, saying which and why', async () => {
    const kubeconfig = await api.writeKubeconfig({ server: 'https://127.0.0.1:1' });
    const r = await check('v1.32.0', { ...env, KUBECONFIG: kubeconfig }, '--timeout', '1s');
    expect(r.code).toBe(3);
    expect(r.report.couldNotRun).toMatch(
      /cannot read the API server's version from https:\/\/127\.0\.0\.1:1/,
    );
  });

  it('runs as the built binary', async () => {
    const r = await quorumBin(['upgrade', 'check', '--to', 'v1.32.0'], {
      ...env,
      LOG_LEVEL: 'silent',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/GO/);
  });
});

describe('quorum upgrade check, certificates', () => {
  let tlsEtcd: EtcdCluster;
  let vars: Record<string, string>;
  beforeAll(async () => {
    tlsEtcd = await startEtcd({ tls: 'server' });
    const expired = await makeExpiredCert(await tmpDir('expired-cert'));
    vars = {
      ...env,
      ...tlsEtcd.env,
      ETCDCTL_CACERT: (await sharedCerts()).ca,
      ETCDCTL_CERT: expired.cert,
      ETCDCTL_KEY: expired.key,
    };
    const snap = await quorum(['etcd', 'snapshot'], vars);
    expect(snap.code, snap.stderr).toBe(0);
  });
  afterAll(() => tlsEtcd?.close());

  it('reads the API server certificate from a TLS handshake, verified against the kubeconfig CA', async () => {
    const cert = await kubeClient({ kubeconfig: api.kubeconfig }).servingCertificate(
      Date.now() + 2_000,
    );
    expect(cert).toMatchObject({
      subject: 'CN=localhost',
      issuer: 'CN=Quorum Test CA',
      verified: true,
    });
    expect(Date.parse(cert.notAfter)).toBeGreaterThan(Date.now() + 3000 * 86_400_000);
  });

  it('an expired etcd client certificate: NO-GO, exit 2, naming the file', async () => {
    const { code, report } = await check('v1.32.0', vars);
    expect(code).toBe(2);
    expect(report.data.verdict).toBe('no-go');
    const certs = finding(report, 'upgrade.gate.cert.etcd');
    expect(certs.map((c) => c.severity)).toEqual(['ok', 'crit']);
    expect(certs[1]?.title).toMatch(/^etcd client certificate .*expired-client\.pem expired/);
    expect(certs[1]?.detail).toBe('notAfter 2020-02-01T00:00:00.000Z');
    // The API server's own certificate, from the TLS handshake: the test CA's, 10 years.
    expect(severities(report, 'upgrade.gate.cert.apiserver')).toEqual(['ok']);
    expect(finding(report, 'upgrade.gate.cert.apiserver')[0]?.title).toMatch(
      /kube-apiserver serving certificate \(https:\/\/127\.0\.0\.1:\d+\) expires in/,
    );
  });
});
