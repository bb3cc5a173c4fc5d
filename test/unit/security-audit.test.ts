/**
 * The security audit's pure parts: classifying values by prefix, the rules at their
 * boundaries, the fix-first order, the Block Kit message (golden), the slash command and
 * the schedule key.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ClusterRoleInfo, PodInfo, RoleBindingInfo } from '../../src/domain/kube.js';
import type { Finding } from '../../src/domain/report.js';
import type {
  EtcdEndpointAccess,
  SecretsCensus,
  SecurityAuditReport,
} from '../../src/domain/security.js';
import { clusterAccessFindings } from '../../src/operations/security/access-rules.js';
import { classifySecretValue, zeroCounts } from '../../src/operations/security/classify.js';
import {
  hostAccessFacts,
  namespaceFacts,
  rbacFacts,
} from '../../src/operations/security/cluster-access.js';
import { encryptionFindings } from '../../src/operations/security/encryption-rules.js';
import { etcdAccessFindings } from '../../src/operations/security/etcd-access-rules.js';
import { prioritise } from '../../src/operations/security/fix-first.js';
import { securityAuditMessage } from '../../src/render/block-kit/security-audit.js';
import { renderSecurityAuditText } from '../../src/render/terminal/security-audit.js';
import { parseSlashCommand } from '../../src/transport/slack/commands/parse.js';
import {
  asKnownBlocks,
  expectGolden,
  expectOnlyOwnControlSequences,
  expectWithinSlackLimits,
} from './block-kit/golden.js';

const NOW = new Date('2026-11-27T10:00:00Z');
const DAY = 86_400_000;
const b = (s: string) => Buffer.from(s, 'latin1');
const sev = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.id}`);

describe('classifying a Secret by the first bytes of its etcd value', () => {
  it('names every provider, protobuf and JSON as unencrypted, anything else unknown', () => {
    expect(classifySecretValue(b('k8s:enc:aescbc:v1:key1:\x8f\x01'))).toBe('aescbc');
    expect(classifySecretValue(b('k8s:enc:aesgcm:v1:key1:'))).toBe('aesgcm');
    expect(classifySecretValue(b('k8s:enc:secretbox:v1:key1:'))).toBe('secretbox');
    expect(classifySecretValue(b('k8s:enc:kms:v1:vault:'))).toBe('kms-v1');
    expect(classifySecretValue(b('k8s:enc:kms:v2:vault:'))).toBe('kms-v2');
    expect(classifySecretValue(b('k8s\x00\n\x0c\n\x02v1'))).toBe('identity');
    expect(classifySecretValue(b('{"kind":"Secret"'))).toBe('identity');
    expect(classifySecretValue(b('k8s:enc:aescbc:v2:'))).toBe('unknown');
    expect(classifySecretValue(b('k8s:enc:secretbox'))).toBe('unknown');
    expect(classifySecretValue(b('k8s'))).toBe('unknown');
    expect(classifySecretValue(b(''))).toBe('unknown');
  });
});

const census = (byProvider: Partial<ReturnType<typeof zeroCounts>>): SecretsCensus => {
  const counts = { ...zeroCounts(), ...byProvider };
  const total = Object.values(counts).reduce((a, n) => a + n, 0);
  return {
    prefix: '/registry/secrets/',
    total,
    byProvider: counts,
    byNamespace: [{ namespace: 'default', total, byProvider }],
    revision: 42,
    pages: 1,
    endpoint: 'https://10.0.0.11:2379',
  };
};

describe('encryption at rest', () => {
  it('one unencrypted Secret is critical; aescbc and KMS v1 warn; secretbox, aesgcm, KMS v2 are fine', () => {
    expect(sev(encryptionFindings(census({ identity: 1, 'kms-v2': 99 })))).toEqual([
      'crit security.encryption.unencrypted',
    ]);
    expect(sev(encryptionFindings(census({ aescbc: 1, secretbox: 5 })))).toEqual([
      'warn security.encryption.weak',
      'ok security.encryption',
    ]);
    expect(encryptionFindings(census({ 'kms-v1': 2 }))[0]?.detail).toMatch(/KMS v1 2 \(deprecated/);
    const fine = encryptionFindings(census({ secretbox: 3, aesgcm: 1, 'kms-v2': 2 }));
    expect(fine).toEqual([
      {
        id: 'security.encryption',
        severity: 'ok',
        title: 'All 6 Secrets encrypted at rest',
        detail: 'aesgcm 1, secretbox 3, KMS v2 2',
      },
    ]);
    expect(sev(encryptionFindings(census({})))).toEqual(['info security.encryption.none']);
    expect(sev(encryptionFindings(undefined, 'permission denied'))).toEqual([
      'warn security.encryption.unchecked',
    ]);
  });
});

const endpoint = (over: Partial<EtcdEndpointAccess> = {}): EtcdEndpointAccess => ({
  endpoint: 'https://10.0.0.11:2379',
  anonymous: 'refused',
  certificate: {
    subject: 'CN=cp-1',
    issuer: 'CN=etcd-ca',
    notAfter: new Date(NOW.getTime() + 200 * DAY).toISOString(),
    names: ['cp-1', '10.0.0.11'],
    nameMatches: true,
    verified: true,
  },
  metrics: { url: 'https://10.0.0.11:2379/metrics', open: false },
  ...over,
});
const facts = (endpoints: EtcdEndpointAccess[], peerUrls = ['https://10.0.0.11:2380']) => ({
  endpoints,
  members: [{ name: 'cp-1', peerUrls, clientUrls: endpoints.map((e) => e.endpoint) }],
  authConfigured: false,
  now: NOW,
});

describe('etcd transport and access', () => {
  it('a kubeadm etcd: https, client certificates required, valid certificate, https peers', () => {
    expect(sev(etcdAccessFindings(facts([endpoint()])))).toEqual([
      'ok security.etcd.https',
      'ok security.etcd.client-cert',
      'ok security.etcd.auth',
      'ok security.etcd.cert',
      'ok security.etcd.peer',
    ]);
  });

  it('a connection without a certificate is critical; reads open to anyone doubly so', () => {
    const pw = etcdAccessFindings(
      facts([endpoint({ anonymous: 'auth-required', anonymousDetail: 'user name is empty' })]),
    );
    expect(sev(pw)).toContain('crit security.etcd.client-cert');
    expect(sev(pw)).toContain('ok security.etcd.auth');
    const open = etcdAccessFindings(facts([endpoint({ anonymous: 'open' })]));
    expect(sev(open)).toEqual(
      expect.arrayContaining(['crit security.etcd.client-cert', 'crit security.etcd.auth']),
    );
  });

  it('plain http: critical off the host, a warning on loopback; peers likewise (info on loopback)', () => {
    const remote = endpoint({
      endpoint: 'http://10.0.0.11:2379',
      certificate: undefined,
      anonymous: 'auth-required',
    });
    expect(sev(etcdAccessFindings(facts([remote], ['http://10.0.0.11:2380'])))).toEqual(
      expect.arrayContaining(['crit security.etcd.https', 'crit security.etcd.peer']),
    );
    const local = endpoint({
      endpoint: 'http://127.0.0.1:2379',
      certificate: undefined,
      anonymous: 'auth-required',
    });
    expect(sev(etcdAccessFindings(facts([local], ['http://127.0.0.1:2380'])))).toEqual(
      expect.arrayContaining(['warn security.etcd.https', 'info security.etcd.peer']),
    );
  });

  it('server certificate: expired is critical, under 30 days a warning, a wrong name a warning', () => {
    const at = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();
    const cert = endpoint().certificate!;
    const expired = endpoint({ certificate: { ...cert, notAfter: at(-1) } });
    const soon = endpoint({
      endpoint: 'https://10.0.0.12:2379',
      certificate: { ...cert, notAfter: at(29) },
    });
    const later = endpoint({
      endpoint: 'https://10.0.0.13:2379',
      certificate: { ...cert, notAfter: at(30), nameMatches: false },
    });
    const out = etcdAccessFindings(facts([expired, soon, later]));
    expect(sev(out).filter((s) => s.includes('.cert'))).toEqual([
      'crit security.etcd.cert.expired',
      'warn security.etcd.cert.expiring',
      'warn security.etcd.cert.names',
    ]);
    expect(out.find((f) => f.id === 'security.etcd.cert.expiring')?.title).toContain(
      '10.0.0.12:2379 (29 d)',
    );
  });

  it("Quorum's own client certificate: a warning within 30 days, critical once expired", () => {
    const client = (days: number) =>
      etcdAccessFindings(
        facts([
          endpoint({
            clientCertificate: {
              subject: 'CN=quorum',
              notAfter: new Date(NOW.getTime() + days * DAY).toISOString(),
            },
          }),
        ]),
      ).filter((f) => f.id.startsWith('security.etcd.cert'));
    expect(sev(client(90))).toEqual(['ok security.etcd.cert']);
    expect(sev(client(10))).toEqual(['ok security.etcd.cert', 'warn security.etcd.cert.client']);
    expect(client(10)[1]?.title).toBe(
      "Quorum's etcd client certificate expires in 10 days (2026-12-07)",
    );
    expect(sev(client(-2))).toEqual(['ok security.etcd.cert', 'crit security.etcd.cert.client']);
  });

  it('metrics without credentials are noted; endpoints that do not answer are a warning', () => {
    const out = etcdAccessFindings(
      facts([
        endpoint({ metrics: { url: 'http://10.0.0.11:2381/metrics', open: true } }),
        endpoint({
          endpoint: 'https://10.0.0.12:2379',
          anonymous: 'unknown',
          anonymousDetail: 'connect ECONNREFUSED',
          certificate: undefined,
          certificateError: 'connect ECONNREFUSED',
        }),
      ]),
    );
    expect(sev(out)).toEqual(
      expect.arrayContaining(['info security.etcd.metrics', 'warn security.etcd.unchecked']),
    );
  });
});

const role = (name: string, rules: ClusterRoleInfo['rules']): ClusterRoleInfo => ({
  name,
  rules,
  aggregated: false,
  labels: {},
});
const crb = (
  name: string,
  roleName: string,
  subjects: RoleBindingInfo['subjects'],
): RoleBindingInfo => ({
  name,
  roleRef: { kind: 'ClusterRole', name: roleName },
  subjects,
});
const pod = (over: Partial<PodInfo>): PodInfo => ({
  namespace: 'shop',
  name: 'p',
  phase: 'Running',
  ready: true,
  mirror: false,
  images: [],
  labels: {},
  restarts: 0,
  ...over,
});

describe('cluster access', () => {
  const roles = [
    role('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
    role('system:controller:namespace-controller', [
      { apiGroups: ['*'], resources: ['*'], verbs: ['delete', 'get', 'list'] },
    ]),
    role('reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]),
    role('named', [
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['x'] },
    ]),
    role('pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }]),
  ];

  it('kubeadm defaults are not findings; extra admins and Secret readers are; everyone is critical', () => {
    const defaults = rbacFacts(roles, [
      crb('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }]),
      crb('kubeadm:cluster-admins', 'cluster-admin', [
        { kind: 'Group', name: 'kubeadm:cluster-admins' },
      ]),
      crb('system:controller:namespace-controller', 'system:controller:namespace-controller', [
        { kind: 'ServiceAccount', name: 'namespace-controller', namespace: 'kube-system' },
      ]),
      crb('named', 'named', [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }]),
      crb('pods', 'pods', [{ kind: 'ServiceAccount', name: 'ops', namespace: 'shop' }]),
    ]);
    const base = { unlabelledNamespaces: [], privilegedNamespaces: [], hostAccess: [] };
    expect(sev(clusterAccessFindings({ ...defaults, ...base }))).toEqual([
      'ok security.rbac.cluster-admin',
      'ok security.rbac.secret-readers',
      'ok security.psa',
      'ok security.pods.host-access',
    ]);
    const risky = rbacFacts(roles, [
      crb('ci', 'cluster-admin', [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' }]),
      crb('backup', 'reader', [{ kind: 'Group', name: 'system:serviceaccounts:backup' }]),
      crb('oops', 'reader', [{ kind: 'Group', name: 'system:unauthenticated' }]),
    ]);
    expect(sev(clusterAccessFindings({ ...risky, ...base }))).toEqual([
      'crit security.rbac.broad',
      'warn security.rbac.cluster-admin',
      'warn security.rbac.secret-readers',
      'ok security.psa',
      'ok security.pods.host-access',
    ]);
  });

  it('namespaces without PSA enforce labels, kube-system excepted; host access grouped by owner', () => {
    expect(
      namespaceFacts([
        { name: 'kube-system', labels: {} },
        { name: 'b', labels: {} },
        { name: 'a', labels: { 'pod-security.kubernetes.io/warn': 'restricted' } },
        { name: 'c', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
      ]),
    ).toEqual({ unlabelledNamespaces: ['a', 'b'], privilegedNamespaces: ['c'] });
    expect(
      hostAccessFacts([
        pod({ namespace: 'kube-system', name: 'kube-proxy', hostNetwork: true }),
        pod({
          name: 'ds-1',
          ownerKind: 'DaemonSet',
          ownerName: 'agent',
          hostPID: true,
          hostPaths: ['/'],
        }),
        pod({
          name: 'ds-2',
          ownerKind: 'DaemonSet',
          ownerName: 'agent',
          hostPID: true,
          hostPaths: ['/var/log'],
        }),
        pod({ name: 'plain' }),
        pod({ name: 'priv', privilegedContainers: ['c0'] }),
      ]),
    ).toEqual([
      {
        namespace: 'shop',
        owner: 'DaemonSet/agent',
        pods: 2,
        privileged: false,
        hostNetwork: false,
        hostPID: true,
        hostPaths: ['/', '/var/log'],
      },
      {
        namespace: 'shop',
        owner: 'Pod/priv',
        pods: 1,
        privileged: true,
        hostNetwork: false,
        hostPID: false,
        hostPaths: [],
      },
    ]);
  });
});

describe('fix first', () => {
  it('critical before warnings, then by how directly it hands out Secrets', () => {
    const f = (id: string, severity: Finding['severity']): Finding => ({ id, severity, title: id });
    const { findings, fixFirst } = prioritise([
      f('security.psa', 'warn'),
      f('security.etcd.https', 'ok'),
      f('security.encryption.unencrypted', 'crit'),
      f('security.rbac.cluster-admin', 'warn'),
      f('security.etcd.auth', 'crit'),
    ]);
    expect(fixFirst).toEqual([
      'security.etcd.auth',
      'security.encryption.unencrypted',
      'security.rbac.cluster-admin',
      'security.psa',
    ]);
    expect(findings.at(-1)?.id).toBe('security.etcd.https');
  });
});

function report(): SecurityAuditReport {
  const c = census({ identity: 3, secretbox: 40, aescbc: 2 });
  c.byNamespace = [
    { namespace: 'default', total: 3, byProvider: { identity: 3 } },
    { namespace: 'shop', total: 42, byProvider: { secretbox: 40, aescbc: 2 } },
  ];
  const endpoints = [
    endpoint({ anonymous: 'auth-required', anonymousDetail: 'etcdserver: user name is empty' }),
  ];
  const { findings, fixFirst } = prioritise([
    ...encryptionFindings(c),
    ...etcdAccessFindings({ ...facts(endpoints), authConfigured: true }),
    ...clusterAccessFindings({
      clusterAdmins: [
        {
          kind: 'User',
          name: 'alice',
          via: 'ClusterRoleBinding/alice',
          role: 'cluster-admin',
          builtIn: false,
        },
      ],
      secretReaders: [],
      unlabelledNamespaces: ['default'],
      privilegedNamespaces: [],
      hostAccess: [],
    }),
  ]);
  return {
    kind: 'security.audit',
    cluster: 'prod',
    startedAt: '2026-11-27T10:00:00.000Z',
    finishedAt: '2026-11-27T10:00:04.000Z',
    findings,
    data: { encryption: c, etcd: { endpoints }, fixFirst },
  };
}

describe('rendering', () => {
  it('Block Kit: verdict, fix first, a summary line, findings in order (golden)', () => {
    const m = securityAuditMessage(report());
    asKnownBlocks(m);
    expectWithinSlackLimits(m);
    expectOnlyOwnControlSequences(m);
    expectGolden('security-audit', { audit: m });
    expect(m.text).toBe('security audit of prod: ✖ 2 critical, 3 warnings');
  });

  it('terminal: fix first, then Secrets by provider and namespace, then endpoints', () => {
    const text = renderSecurityAuditText(report());
    expect(text.split('\n').slice(0, 6)).toEqual([
      '✖ security audit of prod: 2 critical, 3 warnings',
      '',
      'FIX FIRST',
      '1. etcd accepts clients without a certificate: https://10.0.0.11:2379',
      '2. 3 of 45 Secrets stored unencrypted in etcd',
      '3. 1 subject is cluster-admin besides the defaults: User alice',
    ]);
    expect(text).toContain('default    3        3');
    expect(text).toContain('connects; needs a user');
  });
});

describe('/security-audit and its schedule', () => {
  it('takes the cluster, or the only one; refuses anything more', () => {
    expect(parseSlashCommand('/security-audit', '', { clusters: ['prod'] })).toEqual({
      action: 'security.audit',
      cluster: 'prod',
    });
    expect(
      parseSlashCommand('/security-audit', 'staging', { clusters: ['prod', 'staging'] }),
    ).toEqual({
      action: 'security.audit',
      cluster: 'staging',
    });
    expect(() => parseSlashCommand('/security-audit', 'prod now', { clusters: ['prod'] })).toThrow(
      /Unexpected "now"/,
    );
    expect(() => parseSlashCommand('/security-audit', 'prd', { clusters: ['prod', 'x'] })).toThrow(
      /No cluster named "prd"/,
    );
  });

  it('can run weekly from the config file', () => {
    const file = JSON.stringify({
      clusters: [{ name: 'prod', etcd: { endpoints: ['https://10.0.0.11:2379'] } }],
      schedules: { prod: { security: { cron: '0 6 * * 1', channel: 'C024BE91L' } } },
    });
    const config = loadConfig({ QUORUM_CONFIG: 'q.yaml' }, () => file);
    expect(config.schedules.prod?.security).toEqual({ cron: '0 6 * * 1', channel: 'C024BE91L' });
  });
});
