import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quorum, relaxedLatencyConfig } from '../support/cli.js';
import { checkRunner, severitiesOf } from '../support/check-json.js';
import {
  startEtcd,
  startEtcdCluster,
  startSilentServer,
  tmpDir,
  waitFor,
  type EtcdCluster,
} from '../support/index.js';

let relaxed: string;
beforeAll(async () => {
  relaxed = await relaxedLatencyConfig();
});
const checkJson = checkRunner();
const severities = severitiesOf;

describe('quorum etcd check, single member', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(() => etcd.close());

  it('reports a healthy member, exit 0, as a readable table', async () => {
    const r = await quorum(['etcd', 'check'], { ...etcd.env, QUORUM_CONFIG: relaxed });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✔ etcd check of default: healthy/);
    expect(r.stdout).toMatch(/MEMBER\s+ENDPOINT\s+HEALTH/);
    expect(r.stdout).toContain('healthy (leader)');
    expect(r.stdout).toContain('Single-member cluster');
  });

  it('prints JSON with --json', async () => {
    const { code, report } = await checkJson(etcd.env);
    expect(code).toBe(0);
    expect(report.status).toBe('ok');
    expect(report.exitCode).toBe(0);
    expect(severities(report, 'etcd.leader')).toEqual(['ok']);
    expect(severities(report, 'etcd.alarms')).toEqual(['ok']);
    // Latency was read from the member's /metrics, but an idle member fsyncs too rarely
    // in the check's own window for a p99: said as info, never "ok".
    expect(severities(report, 'etcd.latency')).toEqual([]);
    expect(severities(report, 'etcd.latency.few-observations')).toEqual(['info']);
    expect(severities(report, 'etcd.metrics.unavailable')).toEqual([]);
  });

  it('returns within twice the timeout when an endpoint accepts TCP and never answers', async () => {
    const silent = await startSilentServer();
    try {
      const env = { ...etcd.env, ETCDCTL_ENDPOINTS: `${etcd.endpoints[0]},${silent.url}` };
      const { code, report, ms } = await checkJson(env, '--timeout', '1s');
      expect(ms).toBeLessThan(2_000);
      expect(code).toBe(1);
      const silentProbe = report.data.probes.find((p) => p.endpoint === silent.url);
      expect(silentProbe?.healthy).toBe(false);
      expect(
        report.findings.some(
          (f) => f.id === 'etcd.member.unhealthy' && f.title.includes(silent.url),
        ),
      ).toBe(true);
      const alone = await quorum(['etcd', 'check', '--timeout', '1s'], {
        ETCDCTL_ENDPOINTS: silent.url,
      });
      expect(alone.ms).toBeLessThan(2_000);
      expect(alone.code).toBe(3);
      expect(alone.stdout).toContain('could not run');
    } finally {
      await silent.close();
    }
  });

  it('exits 3 with a clear message for an unknown cluster or a bad flag', async () => {
    const unknown = await quorum(['etcd', 'check', '--cluster', 'prod'], etcd.env);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('No cluster named "prod"');
    const flag = await quorum(['etcd', 'check', '--timeout', 'soon'], etcd.env);
    expect(flag.code).toBe(3);
    expect(flag.stderr).toContain('--timeout "soon" is not a duration');
    const typo = await quorum(['etcd', 'chek'], etcd.env);
    expect(typo.code).toBe(3);
    expect(typo.stderr).toContain('Did you mean: quorum etcd check?');
  });
});

describe('quorum etcd check, three members', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcdCluster(3);
  });
  afterAll(() => etcd.close());

  it('is healthy with all members up: quorum, one leader, hashes agree', async () => {
    const { code, report } = await checkJson(etcd.env);
    expect(code).toBe(0);
    expect(report.data.probes.filter((p) => p.healthy)).toHaveLength(3);
    expect(severities(report, 'etcd.quorum')).toEqual(['ok']);
    expect(severities(report, 'etcd.leader')).toEqual(['ok']);
    expect(severities(report, 'etcd.consistency')).toEqual(['ok']);
    expect(severities(report, 'etcd.versions')).toEqual(['ok']);
  });

  it('warns with one member stopped and goes critical with two, within the timeout', async () => {
    await etcd.members[2]!.stop();
    const one = await checkJson(etcd.env, '--timeout', '2s');
    expect(one.code).toBe(1);
    expect(severities(one.report, 'etcd.quorum')).toEqual(['warn']);
    expect(one.report.findings.find((f) => f.id === 'etcd.quorum')?.title).toContain(
      'one more member failure',
    );

    await etcd.members[1]!.stop();
    const two = await checkJson(etcd.env, '--timeout', '2s');
    expect(two.ms).toBeLessThan(4_000);
    expect(two.code).toBe(2);
    expect(severities(two.report, 'etcd.quorum')).toEqual(['crit']);

    await etcd.members[1]!.start();
    await etcd.members[2]!.start();
    const back = await checkJson(etcd.env);
    expect(severities(back.report, 'etcd.quorum')).toEqual(['ok']);
  });

  it('names members that are not among the configured endpoints', async () => {
    const { report } = await checkJson({ ...etcd.env, ETCDCTL_ENDPOINTS: etcd.endpoints[0]! });
    expect(severities(report, 'etcd.quorum')).toEqual(['warn']);
    const quorumFinding = report.findings.find((f) => f.id === 'etcd.quorum');
    expect(quorumFinding?.title).toContain('2 of 3 voting members were not checked');
  });
});

describe('quorum etcd check, real alarms and fragmentation', () => {
  it('reports a real NOSPACE alarm as critical with the recovery sequence', async () => {
    const etcd = await startEtcd({ quotaBackendBytes: 1024 * 1024 });
    try {
      const client = new Etcd3({ hosts: etcd.endpoints });
      const value = 'x'.repeat(64 * 1024);
      try {
        for (let i = 0; i < 100; i++) await client.put(`fill/${i}`).value(value);
      } catch {
        // etcdserver: mvcc: database space exceeded — what we wanted
      } finally {
        client.close();
      }
      const alarms = await etcd.etcdctl(['alarm', 'list']);
      expect(alarms.stdout).toContain('NOSPACE');
      const { code, report } = await checkJson(etcd.env);
      expect(code).toBe(2);
      const nospace = report.findings.find((f) => f.id === 'etcd.alarm.nospace');
      expect(nospace?.severity).toBe('crit');
      expect(nospace?.remedy).toMatch(/compact[\s\S]*defrag[\s\S]*alarms disarm/);
      expect(severities(report, 'etcd.db.quota')).toEqual(['crit']);
    } finally {
      await etcd.close();
    }
  });

  it('warns on real fragmentation (write, delete, compact) and not after a defrag', async () => {
    const etcd = await startEtcd();
    const dir = await tmpDir('quorum-frag-');
    const config = path.join(dir, 'quorum.yaml');
    writeFileSync(
      config,
      `clusters: [{ name: frag, etcd: { endpoints: [${etcd.endpoints[0]}] } }]\ncheck: { thresholds: { fragmentationMinInUse: 1MiB } }\n`,
    );
    const fragmented = async () =>
      severities((await checkJson({ QUORUM_CONFIG: config })).report, 'etcd.db.fragmented');
    try {
      const client = new Etcd3({ hosts: etcd.endpoints });
      const value = 'y'.repeat(512 * 1024);
      for (let i = 0; i < 40; i++) await client.put(`a/${i}`).value(value);
      for (let i = 0; i < 4; i++) await client.put(`b/${i}`).value(value);
      await client.delete().prefix('a/');
      const status = await etcd.etcdctl(['endpoint', 'status', '-w', 'json']);
      const revision = (
        JSON.parse(status.stdout) as { Status: { header: { revision: number } } }[]
      )[0]!.Status.header.revision;
      await etcd.etcdctl(['compact', String(revision), '--physical']);
      // bbolt frees the compacted pages on the next write transaction.
      await client.put('tick').value('1');
      client.close();
      await waitFor(async () => (await fragmented()).includes('warn'), {
        what: 'fragmentation to show',
        timeoutMs: 10_000,
      });
      await etcd.etcdctl(['defrag']);
      expect(await fragmented()).toEqual([]);
    } finally {
      await etcd.close();
    }
  });
});
