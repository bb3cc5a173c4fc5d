/**
 * The test matrix is what it says: this project's etcd tests run against the etcd
 * version named by QUORUM_TEST_ETCD (3.4 in `main`, 3.5 in `etcd-3.5`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quorum } from '../support/cli.js';
import { etcdTestVersion, startEtcd, type EtcdCluster } from '../support/index.js';

describe(`etcd under test (${etcdTestVersion()})`, () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(() => etcd.close());

  it('is the version the project names, as Quorum sees it', async () => {
    const r = await quorum(['etcd', 'check', '--json'], etcd.env);
    const report = JSON.parse(r.stdout) as {
      data: { probes: { status?: { version: string } }[] };
    };
    expect(report.data.probes[0]?.status?.version).toMatch(
      new RegExp(`^${etcdTestVersion().replace('.', '\\.')}\\.`),
    );
    const ctl = await etcd.etcdctl(['version']);
    expect(ctl.stdout).toContain(`etcdctl version: ${etcdTestVersion()}.`);
  });
});
