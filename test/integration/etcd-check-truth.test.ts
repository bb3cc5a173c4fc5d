/**
 * The check says only what it observed (issue: the check tells the truth), on the
 * etcd version under test (3.4 in `main`, 3.5 in `etcd-3.5`):
 * - HashKV is compared on every member even on an idle cluster compacted to its
 *   current revision (etcd 3.4 refuses a hash at exactly that revision), and under writes;
 * - one endpoint of three is not "quorum healthy";
 * - nothing reachable is "could not see", not "quorum lost".
 */
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quorum } from '../support/cli.js';
import { checkRunner, findingOf } from '../support/check-json.js';
import { freePort, startEtcdCluster, type EtcdCluster } from '../support/index.js';

const check = checkRunner();
const finding = findingOf;

async function currentRevision(etcd: EtcdCluster): Promise<number> {
  const status = await etcd.etcdctl(['endpoint', 'status', '-w', 'json']);
  const rows = JSON.parse(status.stdout) as { Status: { header: { revision: number } } }[];
  return Math.max(...rows.map((r) => r.Status.header.revision));
}

describe('consistency on a three-member cluster', () => {
  let etcd: EtcdCluster;
  let client: Etcd3;
  beforeAll(async () => {
    etcd = await startEtcdCluster(3);
    client = new Etcd3({ hosts: etcd.endpoints });
    for (let i = 0; i < 50; i++) await client.put(`/registry/pods/default/p${i}`).value('v');
  });
  afterAll(async () => {
    client.close();
    await etcd.close();
  });

  it('compares HashKV on every member of an idle cluster compacted to its current revision', async () => {
    const revision = await currentRevision(etcd);
    const compacted = await etcd.etcdctl(['compact', String(revision), '--physical']);
    expect(compacted.code).toBe(0);
    // etcdctl compares the same cluster by hand.
    expect((await etcd.etcdctl(['endpoint', 'hashkv'])).code).toBe(0);

    const { code, report } = await check(etcd.env);
    expect(code).toBe(0);
    const consistency = finding(report, 'etcd.consistency');
    expect(consistency?.severity).toBe('ok');
    expect(consistency?.title).toBe(`HashKV agrees on 3 members at revision ${revision}`);
    expect(report.data.hashRevision).toBe(revision);
    expect(report.data.probes.every((p) => p.hash?.revision === revision)).toBe(true);
  });

  it('compares HashKV under writes, right after a compaction', async () => {
    await etcd.etcdctl(['compact', String(await currentRevision(etcd)), '--physical']);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) await client.put(`/registry/events/e${i % 20}`).value(`${i}`);
    })();
    try {
      const { report } = await check(etcd.env);
      const consistency = finding(report, 'etcd.consistency');
      expect(consistency?.severity, consistency?.title).toBe('ok');
      expect(consistency?.title).toMatch(/^HashKV agrees on 3 members at revision \d+$/);
    } finally {
      writing = false;
      await writer;
    }
  });

  it('does not call one endpoint of three "healthy" and says how to include the others', async () => {
    const { code, report } = await check({ ...etcd.env, ETCDCTL_ENDPOINTS: etcd.endpoints[0]! });
    expect(code).toBe(1);
    const quorumFinding = finding(report, 'etcd.quorum');
    expect(quorumFinding?.severity).toBe('warn');
    expect(quorumFinding?.title).toBe('Quorum not judged: 2 of 3 voting members were not checked');
    expect(JSON.stringify(report.findings)).not.toMatch(/tolerates -\d/);
    for (const url of etcd.endpoints.slice(1)) expect(quorumFinding?.detail).toContain(url);
    const suggested = /ETCDCTL_ENDPOINTS=(\S+) quorum etcd check/.exec(quorumFinding?.remedy ?? '');
    expect(suggested?.[1]?.split(',').sort()).toEqual([...etcd.endpoints].sort());
    expect(report.status).not.toBe('ok');
  });
});

describe('nothing reachable', () => {
  it('exits 3 and says no member answered from here, naming each endpoint, with no outage advice', async () => {
    const endpoints = [
      `http://127.0.0.1:${await freePort()}`,
      `http://127.0.0.1:${await freePort()}`,
    ];
    const env = { ETCDCTL_ENDPOINTS: endpoints.join(',') };
    const json = await check(env, '--timeout', '2s');
    expect(json.code).toBe(3);
    expect(json.report.findings.map((f) => f.id)).toEqual(['etcd.unreachable']);
    const unreachable = json.report.findings[0]!;
    expect(unreachable.title).toBe('No etcd member answered from here (2 endpoints tried)');
    for (const e of endpoints) expect(unreachable.detail).toContain(`${e}: `);
    expect(unreachable.remedy).toContain('This host cannot reach it');
    expect(unreachable.remedy).toContain('The cluster is down');

    const text = await quorum(['etcd', 'check', '--timeout', '2s'], env);
    expect(text.code).toBe(3);
    expect(text.stdout).toContain('No etcd member answered from here');
    expect(text.stdout).not.toMatch(/quorum lost|restore|cannot write/i);
  });
});
