/**
 * `quorum security audit` against real etcd servers (client-certificate TLS, server-only
 * TLS with and without authentication, plain http) seeded with Secret values of every
 * storage format, and the Kubernetes API test server seeded with RBAC, namespaces and
 * pods. Every seeded value carries a marker right after its prefix: it must never appear
 * in stdout, stderr, --json, the Block Kit message or the log.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcd3Connector } from '../../src/clients/etcd3-member.js';
import { loadEtcdCredentials } from '../../src/clients/etcd-credentials.js';
import { loadConfig } from '../../src/config/load.js';
import { realCliDeps } from '../../src/deps.js';
import type { SecurityAuditReport } from '../../src/domain/security.js';
import { createLogger } from '../../src/logging.js';
import { securityAudit } from '../../src/operations/security/audit.js';
import { messageForReport } from '../../src/render/block-kit/index.js';
import { runCli } from '../../src/transport/cli/run.js';
import { cleanEnv } from '../support/cli.js';
import {
  kube,
  startEtcd,
  startKubeApi,
  type EtcdCluster,
  type KubeApiServer,
} from '../support/index.js';
import { SEEDED, SEEDED_COUNTS, seedSecrets } from '../support/secrets.js';

const MARKER = `qmark${randomBytes(6).toString('hex')}`;

function seedKube(api: KubeApiServer): void {
  const sa = (name: string, namespace: string) => ({ kind: 'ServiceAccount', name, namespace });
  api.store.add(
    kube.clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
    kube.clusterRole('everything', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
    kube.clusterRole('secret-reader', [
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
    ]),
    kube.clusterRole('one-secret', [
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['ca'] },
    ]),
    kube.clusterRoleBinding('cluster-admin', 'cluster-admin', [
      { kind: 'Group', name: 'system:masters' },
    ]),
    kube.clusterRoleBinding('ci-admin', 'cluster-admin', [sa('deployer', 'ci')]),
    kube.clusterRoleBinding('alice-everything', 'everything', [{ kind: 'User', name: 'alice' }]),
    kube.clusterRoleBinding('velero-secrets', 'secret-reader', [sa('velero', 'backup')]),
    kube.clusterRoleBinding('everyone-reads', 'secret-reader', [
      { kind: 'Group', name: 'system:authenticated' },
    ]),
    kube.clusterRoleBinding('ca-reader', 'one-secret', [sa('web', 'shop')]),
    kube.namespace('default'),
    kube.namespace('kube-system'),
    kube.namespace('shop', { 'pod-security.kubernetes.io/enforce': 'baseline' }),
    kube.namespace('payments'),
    kube.namespace('monitoring', { 'pod-security.kubernetes.io/enforce': 'privileged' }),
    ...['a', 'b'].map((x) =>
      kube.pod({
        name: `node-exporter-${x}`,
        namespace: 'monitoring',
        owner: { kind: 'DaemonSet', name: 'node-exporter' },
        hostNetwork: true,
        hostPID: true,
        hostPaths: ['/proc', '/sys'],
      }),
    ),
    kube.pod({ name: 'debug', namespace: 'shop', privileged: true }),
    kube.pod({ name: 'web-1', namespace: 'shop', owner: { kind: 'ReplicaSet', name: 'web-5f' } }),
    kube.pod({
      name: 'kube-proxy-x',
      namespace: 'kube-system',
      privileged: true,
      hostNetwork: true,
    }),
  );
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  log: string;
}

/** The CLI in-process with the real wiring, its pino log captured at trace level. */
async function audit(args: string[], vars: Record<string, string>): Promise<Run> {
  const out = { stdout: '', stderr: '', log: '' };
  const env = cleanEnv({ LOG_LEVEL: 'trace', ...vars });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.log += chunk.toString();
      done();
    },
  });
  const deps = { ...realCliDeps(env), logger: createLogger('trace', sink) };
  const io = {
    stdout: (t: string) => void (out.stdout += t),
    stderr: (t: string) => void (out.stderr += t),
    env,
  };
  const code = await runCli(['security', 'audit', ...args], io, deps);
  return { code, ...out };
}

const ids = (r: SecurityAuditReport) => r.findings.map((f) => `${f.severity} ${f.id}`);
const finding = (r: SecurityAuditReport, id: string) => r.findings.find((f) => f.id === id);

function expectNoMarker(...texts: string[]): void {
  for (const text of texts) expect(text).not.toContain(MARKER);
}

let api: KubeApiServer;
beforeAll(async () => {
  api = await startKubeApi();
  seedKube(api);
});
afterAll(() => api?.close());

describe('security audit of an etcd with client-certificate TLS', () => {
  let etcd: EtcdCluster;
  let vars: Record<string, string>;
  beforeAll(async () => {
    etcd = await startEtcd({ tls: 'client-cert' });
    await seedSecrets(etcd, MARKER);
    vars = { ...etcd.env, KUBECONFIG: api.kubeconfig, QUORUM_CLUSTER: 'prod' };
  });
  afterAll(() => etcd?.close());

  it('counts every storage format exactly, judges, and orders what to fix first (exit 2)', async () => {
    const run = await audit(['--json'], vars);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as SecurityAuditReport & { exitCode: number };
    expect(report.exitCode).toBe(2);
    expect(report.data.encryption?.byProvider).toEqual(SEEDED_COUNTS);
    expect(report.data.encryption?.total).toBe(SEEDED.length);
    expect(report.data.encryption?.byNamespace).toEqual([
      { namespace: 'default', total: 2, byProvider: { identity: 2 } },
      { namespace: 'odd', total: 1, byProvider: { unknown: 1 } },
      { namespace: 'payments', total: 4, byProvider: { secretbox: 3, 'kms-v1': 1 } },
      { namespace: 'shop', total: 3, byProvider: { aescbc: 2, aesgcm: 1 } },
      { namespace: 'vault', total: 2, byProvider: { 'kms-v2': 2 } },
    ]);
    expect(report.data.fixFirst).toEqual([
      'security.rbac.broad',
      'security.encryption.unencrypted',
      'security.rbac.cluster-admin',
      'security.rbac.secret-readers',
      'security.encryption.weak',
      'security.pods.host-access',
      'security.psa',
      // The test cluster's application namespaces have no NetworkPolicy, and no
      // control-plane pod to read flags from: said, never passed over.
      'security.network.default-deny',
      'security.network.default-deny',
      'security.network.default-deny',
      'security.network.default-deny',
      'security.encryption.unknown',
      'security.control-plane.unchecked',
    ]);
    expect(ids(report)).toEqual([
      'crit security.rbac.broad',
      'crit security.encryption.unencrypted',
      'warn security.rbac.cluster-admin',
      'warn security.rbac.secret-readers',
      'warn security.encryption.weak',
      'warn security.pods.host-access',
      'warn security.psa',
      'warn security.network.default-deny',
      'warn security.network.default-deny',
      'warn security.network.default-deny',
      'warn security.network.default-deny',
      'warn security.encryption.unknown',
      'warn security.control-plane.unchecked',
      'info security.etcd.peer',
      'info security.psa.privileged',
      'info security.network.enforcement',
      'ok security.etcd.auth',
      'ok security.etcd.client-cert',
      'ok security.etcd.https',
      'ok security.images.mutable-tag',
      'ok security.etcd.cert',
    ]);
    expect(finding(report, 'security.encryption.unencrypted')?.title).toBe(
      '2 of 12 Secrets stored unencrypted in etcd',
    );
    expect(finding(report, 'security.encryption.unencrypted')?.remedy).toContain(
      'kubectl get secrets -A -o json | kubectl replace -f -',
    );
    expect(finding(report, 'security.encryption.unencrypted')?.remedy).toContain(
      'EncryptionConfiguration',
    );
    expect(report.data.etcd.endpoints[0]).toMatchObject({
      anonymous: 'refused',
      certificate: { nameMatches: true, verified: true, names: ['localhost', '127.0.0.1'] },
      metrics: { open: false },
    });
    expectNoMarker(run.stdout, run.stderr, run.log);
  });

  it('names the cluster-admins, Secret readers, namespaces and host-access workloads', async () => {
    const run = await audit(['--json'], vars);
    const report = JSON.parse(run.stdout) as SecurityAuditReport;
    expect(finding(report, 'security.rbac.broad')?.detail).toBe(
      'Group system:authenticated → secret-reader via ClusterRoleBinding/everyone-reads',
    );
    expect(finding(report, 'security.rbac.broad')?.remedy).toContain(
      'kubectl delete clusterrolebinding everyone-reads',
    );
    expect(finding(report, 'security.rbac.cluster-admin')?.detail).toBe(
      [
        // In the API server's order: by name, as etcd keys them.
        'User alice → everything via ClusterRoleBinding/alice-everything',
        'ServiceAccount ci/deployer → cluster-admin via ClusterRoleBinding/ci-admin',
      ].join('\n'),
    );
    expect(finding(report, 'security.rbac.secret-readers')?.title).toBe(
      '1 service account can read every Secret: ServiceAccount backup/velero',
    );
    expect(report.data.access?.unlabelledNamespaces).toEqual(['default', 'payments']);
    expect(report.data.access?.privilegedNamespaces).toEqual(['monitoring']);
    expect(finding(report, 'security.pods.host-access')?.detail).toBe(
      [
        'monitoring DaemonSet/node-exporter (2 pods): hostNetwork, hostPID, hostPath /proc, /sys',
        'shop Pod/debug: privileged',
      ].join('\n'),
    );
    expect(api.requestsTo('GET', '/api/v1/namespaces/kube-system/secrets')).toEqual([]);
    expect(api.requests.filter((r) => /secrets/.test(r.path))).toEqual([]);
  });

  it('prints the report for the terminal and Block Kit for Slack, with no Secret value in either', async () => {
    const run = await audit([], vars);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /^✖ security audit of prod: 2 critical, 11 warnings\n\nFIX FIRST\n1\. Everyone gets every Secret/,
    );
    expect(run.stdout).toContain('unencrypted (identity)  2');
    expect(run.stdout).toContain('WHAT TO DO');
    const config = loadConfig(cleanEnv(vars));
    const cluster = config.clusters[0]!;
    const report = await securityAudit(
      { connect: etcd3Connector(loadEtcdCredentials(cluster.etcd)) },
      {
        cluster: 'prod',
        endpoints: cluster.etcd.endpoints,
        timeoutMs: 5_000,
        etcdAuth: false,
        pageSize: 5,
      },
    );
    expect(report.data.encryption?.pages).toBe(3);
    expect(report.data.encryption?.byProvider).toEqual(SEEDED_COUNTS);
    expect(finding(report, 'security.access.unchecked')?.severity).toBe('warn');
    const message = JSON.stringify(messageForReport(report));
    expect(message).toContain('Fix first');
    expectNoMarker(run.stdout, run.stderr, run.log, message, JSON.stringify(report));
  });
});

describe('security audit of etcd that accepts clients without a certificate', () => {
  it('TLS without client-certificate auth: critical, exit 2', async () => {
    const etcd = await startEtcd({ tls: 'server' });
    try {
      const run = await audit(['--json'], { ...etcd.env, KUBECONFIG: api.kubeconfig });
      const report = JSON.parse(run.stdout) as SecurityAuditReport;
      expect(run.code).toBe(2);
      expect(report.data.etcd.endpoints[0]?.anonymous).toBe('open');
      expect(finding(report, 'security.etcd.client-cert')?.severity).toBe('crit');
      expect(finding(report, 'security.etcd.auth')?.severity).toBe('crit');
      expect(report.data.fixFirst.slice(0, 3)).toEqual([
        'security.etcd.auth',
        'security.rbac.broad',
        'security.etcd.client-cert',
      ]);
      expect(finding(report, 'security.encryption.none')?.severity).toBe('info');
    } finally {
      await etcd.close();
    }
  });

  it('TLS with authentication on: a password is all that stands in the way', async () => {
    const etcd = await startEtcd({ tls: 'server', auth: { rootPassword: 'horse-battery' } });
    try {
      await seedSecrets(etcd, MARKER);
      const run = await audit(['--json'], { ...etcd.env, KUBECONFIG: api.kubeconfig });
      const report = JSON.parse(run.stdout) as SecurityAuditReport;
      expect(report.data.etcd.endpoints[0]?.anonymous).toBe('auth-required');
      expect(finding(report, 'security.etcd.client-cert')).toMatchObject({
        severity: 'crit',
        detail: expect.stringContaining(
          'only a password stands in the way (etcdserver: user name is empty)',
        ),
      });
      expect(finding(report, 'security.etcd.auth')).toMatchObject({
        severity: 'ok',
        title: 'Reading etcd needs a user and password',
      });
      expect(report.data.encryption?.byProvider).toEqual(SEEDED_COUNTS);
      expectNoMarker(run.stdout, run.stderr, run.log);
      expect(run.stdout + run.log).not.toContain('horse-battery');
    } finally {
      await etcd.close();
    }
  });

  it('plain http, no authentication: anyone reads everything', async () => {
    const etcd = await startEtcd();
    try {
      const run = await audit([], etcd.env);
      expect(run.code).toBe(2);
      expect(run.stdout).toContain('Anyone who reaches etcd reads every key, Secrets included');
      expect(run.stdout).toContain('etcd serves clients over plain http on loopback');
      expect(run.stdout).toContain('Cluster access not checked');
    } finally {
      await etcd.close();
    }
  });
});

describe('security audit exit status 3', () => {
  it('when neither etcd nor the Kubernetes API answers', async () => {
    const run = await audit(['--timeout', '1s'], {
      ETCDCTL_ENDPOINTS: 'http://127.0.0.1:1',
      KUBECONFIG: '/nonexistent/kubeconfig',
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('could not run: Neither etcd nor the Kubernetes API answered.');
  });

  it('on a bad argument, with the usage', async () => {
    const run = await audit(['now'], {});
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Unexpected argument "now"');
    expect(run.stderr).toContain('quorum security audit [--cluster NAME] [--json]');
  });
});
