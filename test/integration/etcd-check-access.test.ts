import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quorum, quorumBin, relaxedLatencyConfig } from '../support/cli.js';
import { sharedOtherCa, startEtcd, tmpDir, type EtcdCluster } from '../support/index.js';

const ranHealthy = (r: { code: number; stdout: string }) => {
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/healthy \(leader\)/);
};
let relaxed: string;
beforeAll(async () => {
  relaxed = await relaxedLatencyConfig();
});

describe('etcd check over TLS with client certificates', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd({ tls: 'client-cert' });
  });
  afterAll(() => etcd.close());

  it('connects with ETCDCTL_CACERT, ETCDCTL_CERT and ETCDCTL_KEY, as etcdctl does', async () => {
    ranHealthy(await quorum(['etcd', 'check'], { ...etcd.env, QUORUM_CONFIG: relaxed }));
  });

  it('cannot run without a client certificate, and says why (exit 3)', async () => {
    const { ETCDCTL_CERT: _c, ETCDCTL_KEY: _k, ...noCert } = etcd.env;
    const r = await quorum(['etcd', 'check', '--timeout', '2s'], noCert);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('could not run');
    expect(r.stdout).toContain('unreachable');
  });

  it('cannot run with a certificate from another CA', async () => {
    const other = await sharedOtherCa();
    const r = await quorum(['etcd', 'check', '--timeout', '2s'], {
      ...etcd.env,
      ETCDCTL_CERT: other.clientCert,
      ETCDCTL_KEY: other.clientKey,
    });
    expect(r.code).toBe(3);
  });

  it('names an unreadable certificate file and the variable to fix (exit 3)', async () => {
    const r = await quorum(['etcd', 'check'], {
      ...etcd.env,
      ETCDCTL_CERT: '/nonexistent/client.crt',
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'Cannot read the etcd client certificate at /nonexistent/client.crt (ENOENT)',
    );
    expect(r.stderr).toContain('ETCDCTL_CERT');
  });
});

describe('etcd check with authentication on', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd({ auth: { rootPassword: 'right-horse-battery' } });
  });
  afterAll(() => etcd.close());

  it('runs with the right password', async () => {
    ranHealthy(await quorum(['etcd', 'check'], { ...etcd.env, QUORUM_CONFIG: relaxed }));
  });

  it('cannot run with a wrong password, says so, and never prints the password', async () => {
    const r = await quorum(['etcd', 'check', '--timeout', '2s'], {
      ...etcd.env,
      ETCDCTL_USER: 'root:wrong-staple',
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/authentication failed/i);
    expect(r.stdout + r.stderr).not.toContain('wrong-staple');
  });
});

describe('bad configuration, from the built binary', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tmpDir('quorum-badcfg-');
  });
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

  it('exits 3 naming a bad variable, with an example, without a stack trace', async () => {
    const r = await quorumBin(['etcd', 'check'], { ETCDCTL_ENDPOINTS: 'etcd-1:2379/x' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'ETCDCTL_ENDPOINTS (item 1): is not an etcd client URL; write e.g. https://10.0.0.11:2379',
    );
    expect(r.stdout).toBe('');
    noStack(r.stderr);
  });

  it('exits 3 naming the line of broken YAML', async () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'clusters:\n  - name: prod\n    etcd: {endpoints: [http://a:1]\n');
    const r = await quorumBin(['etcd', 'check'], { QUORUM_CONFIG: file });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/broken\.yaml: not valid YAML at line \d+/);
    noStack(r.stderr);
  });

  it('exits 3 naming a wrong key', async () => {
    const file = path.join(dir, 'wrong.yaml');
    writeFileSync(
      file,
      'clusters:\n  - name: prod\n    etcd: {endpoints: [http://a:1], quotaBackendBytes: huge}\n',
    );
    const r = await quorumBin(['etcd', 'check'], { QUORUM_CONFIG: file });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'clusters[0].etcd.quotaBackendBytes: "huge" is not a size; write e.g. 2GiB',
    );
    noStack(r.stderr);
  });

  it('prints help and exits 3 with no command', async () => {
    const r = await quorumBin([]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('quorum etcd check');
  });
});
