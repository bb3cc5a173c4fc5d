import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveCluster } from '../../src/config/load.js';
import { QuorumError } from '../../src/domain/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'quorum-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const fails = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(QuorumError);
    return err as QuorumError;
  }
  throw new Error('expected loadConfig to fail');
};

describe('configuration', () => {
  it('defaults to one local cluster named "default", as etcdctl does', () => {
    const c = loadConfig({});
    expect(c.defaultCluster).toBe('default');
    expect(c.clusters[0]?.etcd.endpoints).toEqual(['http://127.0.0.1:2379']);
    expect(c.check.timeout).toBe(5_000);
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(Object.isFrozen(c.clusters[0])).toBe(true);
  });

  it('reads ETCDCTL_* like etcdctl: host:port means https when TLS files are given', () => {
    const c = loadConfig({
      ETCDCTL_ENDPOINTS: '10.0.0.1:2379, 10.0.0.2:2379',
      ETCDCTL_CACERT: '/pki/ca.crt',
      ETCDCTL_CERT: '/pki/c.crt',
      ETCDCTL_KEY: '/pki/c.key',
      ETCDCTL_USER: 'root:pa:ss',
      QUORUM_CLUSTER: 'prod',
    });
    const prod = resolveCluster(c);
    expect(prod.name).toBe('prod');
    expect(prod.etcd.endpoints).toEqual(['https://10.0.0.1:2379', 'https://10.0.0.2:2379']);
    expect(prod.etcd.username).toBe('root');
    expect(prod.etcd.password).toBe('pa:ss');
  });

  it('loads several clusters from YAML; a variable overrides the file', () => {
    const path = file(
      'multi.yaml',
      `defaultCluster: prod
clusters:
  - name: prod
    etcd: { endpoints: [https://10.0.0.1:2379], quotaBackendBytes: 4GiB }
  - name: staging
    etcd: { endpoints: [http://10.1.0.1:2379] }
check: { timeout: 3s, thresholds: { walFsyncP99Warn: 20ms } }
`,
    );
    const c = loadConfig({ QUORUM_CONFIG: path, ETCDCTL_ENDPOINTS: 'http://127.0.0.1:2379' });
    expect(resolveCluster(c).etcd.endpoints).toEqual(['http://127.0.0.1:2379']);
    expect(resolveCluster(c).etcd.quotaBackendBytes).toBe(4 * 2 ** 30);
    expect(resolveCluster(c, 'staging').etcd.endpoints).toEqual(['http://10.1.0.1:2379']);
    expect(c.check.timeout).toBe(3_000);
    expect(c.check.thresholds.walFsyncP99Warn).toBe(20);
    expect(c.check.thresholds.backendCommitP99Warn).toBe(25);
  });

  it('names the variable, what is wrong and a right value', () => {
    const err = fails({
      ETCDCTL_ENDPOINTS: 'ftp://x:1',
      PORT: 'eighty',
      QUORUM_APPROVERS: 'U024BE7LH,alice',
    });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(
      /ETCDCTL_ENDPOINTS \(item 1\): is not an etcd client URL; write e\.g\. https:\/\//,
    );
    expect(err.message).toMatch(/PORT: /);
    expect(err.message).toMatch(
      /QUORUM_APPROVERS \(item 2\): is not a Slack user or user-group ID/,
    );
  });

  it('names the file key for mistakes in YAML', () => {
    const path = file(
      'bad-key.yaml',
      'clusters:\n  - name: Prod_1\n    etcd: { endpoints: [] }\n    colour: blue\n',
    );
    const err = fails({ QUORUM_CONFIG: path });
    expect(err.message).toContain(`${path}: clusters[0].name: must be lower-case letters`);
    expect(err.message).toContain(`${path}: clusters[0].etcd.endpoints: needs at least one URL`);
    expect(err.message).toMatch(/clusters\[0\]: Unrecognized key.*colour/);
  });

  it('says where broken YAML is broken', () => {
    const err = fails({
      QUORUM_CONFIG: file('broken.yaml', 'clusters:\n  - name: a\n   etcd: [\n'),
    });
    expect(err.code).toBe('CONFIG_UNREADABLE');
    expect(err.message).toMatch(/not valid YAML at line \d/);
  });

  it('says when the file is missing', () => {
    const err = fails({ QUORUM_CONFIG: join(dir, 'nope.yaml') });
    expect(err.code).toBe('CONFIG_UNREADABLE');
    expect(err.message).toContain('ENOENT');
  });

  it('rejects durations and sizes it cannot read, with an example', () => {
    const path = file(
      'units.yaml',
      'clusters: [{name: a, etcd: {endpoints: [http://a:1], quotaBackendBytes: lots}}]\ncheck: {timeout: soon}\n',
    );
    const err = fails({ QUORUM_CONFIG: path });
    expect(err.message).toContain('"lots" is not a size; write e.g. 2GiB');
    expect(err.message).toContain('"soon" is not a duration; write e.g. 5s');
  });

  it('refuses an unknown default cluster and lists the configured ones', () => {
    const path = file(
      'two.yaml',
      'clusters: [{name: a, etcd: {endpoints: [http://a:1]}}, {name: b, etcd: {endpoints: [http://b:1]}}]\n',
    );
    const err = fails({ QUORUM_CONFIG: path, QUORUM_CLUSTER: 'c' });
    expect(err.message).toContain(
      'QUORUM_CLUSTER: "c" is not a configured cluster (configured: a, b)',
    );
    expect(() => resolveCluster(loadConfig({ QUORUM_CONFIG: path }), 'x')).toThrow(
      /No cluster named "x"/,
    );
  });

  it('requires cert and key together', () => {
    const err = fails({ ETCDCTL_CERT: '/pki/c.crt' });
    expect(err.message).toContain('cert and key go together');
  });
});
