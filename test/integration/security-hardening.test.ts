/**
 * The hardening sequence in one audit, as the operator runs it: the built `quorum security
 * audit` against a real etcd and the Kubernetes API test server holding a namespace with no
 * NetworkPolicy, a Deployment on `nginx:latest`, and a kubeadm kube-apiserver started with
 * `--anonymous-auth=true`, `--profiling=true` and no audit logging. Every one is named, in
 * fix-first order (anonymous access and audit logging before image tags); after the fixes,
 * a second audit with `--since` the first's `--json` says what was fixed.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/domain/report.js';
import { quorum } from '../support/cli.js';
import {
  startEtcd,
  startKubeApi,
  tmpDir,
  type EtcdCluster,
  type KubeApiServer,
} from '../support/index.js';
import { defaultDenyIngress } from '../support/kube-netpol.js';
import { deploymentPods } from '../support/kube-pods-images.js';
import { kubeadmCommand, staticPod, withFlags } from '../support/kube-static-pods.js';
import { namespace } from '../support/kube-objects.js';

interface JsonReport {
  findings: Finding[];
  data: { fixFirst: string[]; progress?: { fixed: Finding[]; opened: Finding[] } };
}

let etcd: EtcdCluster;
let api: KubeApiServer;
let env: Record<string, string>;
let dir: string;

const DIGEST = `sha256:${'4c'.repeat(32)}`;
const UNSAFE = withFlags(kubeadmCommand('kube-apiserver'), {
  '--anonymous-auth': 'true',
  '--profiling': 'true',
});

function seed(apiserverCommand: string[], image: string): void {
  for (const kind of ['Namespace', 'Pod', 'NetworkPolicy']) api.store.clear(kind);
  api.store.add(
    ...['kube-system', 'shop'].map((n) => namespace(n)),
    staticPod({
      component: 'kube-apiserver',
      node: 'cp1',
      version: 'v1.32.2',
      command: apiserverCommand,
    }),
    ...deploymentPods('web', 2, [{ name: 'nginx', image }], 'shop'),
  );
}

async function audit(...more: string[]) {
  const r = await quorum(['security', 'audit', '--json', '--timeout', '5s', ...more], env);
  return { ...r, report: JSON.parse(r.stdout) as JsonReport };
}

const rankOf = (r: JsonReport, id: string) => r.data.fixFirst.indexOf(id);

beforeAll(async () => {
  [etcd, api] = await Promise.all([startEtcd(), startKubeApi()]);
  dir = await tmpDir('security-hardening');
  const config = path.join(dir, 'quorum.yaml');
  await writeFile(
    config,
    [
      'clusters:',
      '  - name: prod',
      `    etcd: { endpoints: ${JSON.stringify(etcd.endpoints)} }`,
      `    kubeconfig: ${api.kubeconfig}`,
      '',
    ].join('\n'),
  );
  env = { QUORUM_CONFIG: config };
});

afterAll(async () => {
  await Promise.all([etcd?.close(), api?.close()]);
});

describe('the security audit across the hardening sequence', () => {
  it('names the open namespace, the mutable tag, the missing audit log and the unsafe flags, in fix-first order; then what was fixed', async () => {
    seed(UNSAFE, 'nginx:latest');
    const first = await audit();
    const named = (id: string) => first.report.findings.filter((f) => f.id === id);
    expect(named('security.network.default-deny').map((f) => f.subject)).toEqual(['shop']);
    expect(named('security.images.mutable-tag').map((f) => f.subject)).toEqual([
      'shop/Deployment/web',
    ]);
    expect(named('security.apiserver.audit-log')).toHaveLength(1);
    expect(named('security.apiserver.anonymous-auth')).toHaveLength(1);
    expect(named('security.apiserver.profiling')).toHaveLength(1);
    // Anonymous access and the missing audit log come before the image tag.
    const [anonymous, auditLog, tag] = [
      'security.apiserver.anonymous-auth',
      'security.apiserver.audit-log',
      'security.images.mutable-tag',
    ].map((id) => rankOf(first.report, id));
    expect(anonymous).toBeGreaterThanOrEqual(0);
    expect(anonymous).toBeLessThan(tag!);
    expect(auditLog).toBeLessThan(tag!);
    // The test's etcd is plain http without authentication: critical, whatever else.
    expect(first.code).toBe(2);

    // The fixes: a default deny in shop, the image by digest, the flags as the remedies set them.
    const before = path.join(dir, 'first.json');
    await writeFile(before, first.stdout);
    seed(
      withFlags(kubeadmCommand('kube-apiserver'), {
        '--profiling': 'false',
        '--audit-policy-file': '/etc/kubernetes/audit/policy.yaml',
        '--audit-log-path': '/var/log/kubernetes/audit/audit.log',
      }),
      `nginx@${DIGEST}`,
    );
    api.store.add(defaultDenyIngress('shop'));
    const second = await audit('--since', before);
    const fixed = (second.report.data.progress?.fixed ?? []).map((f) => f.id).sort();
    expect(fixed).toEqual(
      expect.arrayContaining([
        'security.apiserver.audit-log',
        'security.apiserver.profiling',
        'security.images.mutable-tag',
        'security.network.default-deny',
      ]),
    );
    expect(second.report.data.progress?.opened).toEqual([]);
    const text = await quorum(['security', 'audit', '--since', before], env);
    expect(text.stdout.split('\n')[0]).toMatch(
      /^\d+ fixed since \d{4}-\d{2}-\d{2} · 0 new · \d+ still open/,
    );
  }, 60_000);
});
