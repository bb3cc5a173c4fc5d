import { existsSync, readdirSync, statSync } from 'node:fs';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUORUM_BIN, cleanEnv, quorum } from '../support/cli.js';
import {
  fillEtcd,
  spawnChild,
  startEtcd,
  startEtcdCluster,
  tmpDir,
  waitFor,
  type EtcdCluster,
} from '../support/index.js';

interface DefragJson {
  exitCode: number;
  findings: { id: string; severity: string; title: string }[];
  data: {
    members: {
      name: string;
      isLeader: boolean;
      before?: number;
      after?: number;
      error?: string;
      skipped?: boolean;
    }[];
  };
}
const json = <T>(stdout: string) => JSON.parse(stdout) as T;

async function fragment(endpoints: string[]) {
  await fillEtcd(endpoints, { bytes: 16 * 2 ** 20, valueSize: 256 * 1024, prefix: 'frag/' });
  const c = new Etcd3({ hosts: endpoints });
  await c.delete().prefix('frag/');
  const rev = Number((await c.maintenance.status()).header.revision);
  await c.put('tick').value('1');
  c.close();
  return rev;
}

describe('maintenance on a three-member cluster', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcdCluster(3);
  });
  afterAll(() => etcd.close());

  it('snapshots from a follower, not the leader', async () => {
    const dir = await tmpDir('quorum-snap3-');
    const r = await quorum(['etcd', 'snapshot', '--json'], {
      ...etcd.env,
      QUORUM_SNAPSHOT_DIR: dir,
    });
    expect(r.code).toBe(0);
    const c = new Etcd3({ hosts: etcd.endpoints });
    const status = await c.maintenance.status();
    const members = (await c.cluster.memberList({})).members;
    c.close();
    const leaderName = members.find((m) => m.ID === status.leader)?.name;
    const meta = json<{ data: { meta: { member: { name: string } } } }>(r.stdout).data.meta;
    expect(meta.member.name).not.toBe(leaderName);
  });

  it('compacts, then defragments member by member with the leader last, reclaiming space', async () => {
    await fragment(etcd.endpoints);
    const compact = await quorum(['etcd', 'compact'], etcd.env);
    expect(compact.code, compact.stdout + compact.stderr).toBe(0);
    expect(compact.stdout).toMatch(/Compacted to revision \d+/);
    // A second compaction to the same revision is not an error (safe to retry).
    expect((await quorum(['etcd', 'compact'], etcd.env)).code).toBe(0);

    const r = await quorum(['etcd', 'defrag', '--json'], etcd.env);
    const report = json<DefragJson>(r.stdout);
    expect(r.code, r.stdout).toBe(0);
    const members = report.data.members;
    expect(members).toHaveLength(3);
    expect(members.map((m) => m.isLeader)).toEqual([false, false, true]);
    for (const m of members) expect(m.before! - m.after!).toBeGreaterThan(8 * 2 ** 20);
    expect(report.findings.find((f) => f.id === 'etcd.defrag')?.title).toMatch(
      /Defragmented 3 member\(s\), reclaimed/,
    );
  });

  it('stops the defrag before touching anything when a member is down', async () => {
    await etcd.members[0]!.stop();
    try {
      const r = await quorum(['etcd', 'defrag', '--json', '--cluster', 'default'], {
        ...etcd.env,
        QUORUM_CONFIG: '',
      });
      const report = json<DefragJson>(r.stdout);
      expect(r.code).toBe(2);
      expect(report.data.members.filter((m) => m.after !== undefined)).toHaveLength(0);
      expect(report.data.members[0]?.error).toMatch(/not started: .* is unhealthy/);
      expect(report.data.members.slice(1).every((m) => m.skipped)).toBe(true);
    } finally {
      await etcd.members[0]!.start();
    }
  });
});

describe('NOSPACE, end to end', () => {
  it('recovers: compact, defrag, disarm, and writes succeed again', async () => {
    const etcd = await startEtcd({ quotaBackendBytes: 4 * 2 ** 20 });
    try {
      // No retries or circuit breaker: every refused write must show as refused.
      const c = new Etcd3({
        hosts: etcd.endpoints,
        faultHandling: { host: () => noop, global: noop },
      });
      const value = Buffer.alloc(128 * 1024, 'n');
      await expect(
        (async () => {
          for (let i = 0; i < 200; i++) await c.put(`big/${i % 8}`).value(value);
        })(),
      ).rejects.toThrow(/database space exceeded/);
      expect((await quorum(['etcd', 'alarms'], etcd.env)).code).toBe(2);
      await expect(c.put('after').value('x')).rejects.toThrow(/space exceeded/);

      expect((await quorum(['etcd', 'compact'], etcd.env)).code).toBe(0);
      const defrag = await quorum(['etcd', 'defrag'], etcd.env);
      expect(defrag.code, defrag.stdout).toBe(0);
      const disarm = await quorum(['etcd', 'alarms', 'disarm'], etcd.env);
      expect(disarm.code, disarm.stdout).toBe(0);
      expect(disarm.stdout).toContain('Disarmed NOSPACE');
      await c.put('after').value('x');
      expect(await c.get('after').string()).toBe('x');
      expect((await quorum(['etcd', 'alarms'], etcd.env)).stdout).toContain('No alarms');
      c.close();
    } finally {
      await etcd.close();
    }
  });
});

describe('snapshots with TLS and with auth', () => {
  it('works over TLS with client certificates', async () => {
    const etcd = await startEtcd({ tls: 'client-cert' });
    try {
      const r = await quorum(['etcd', 'snapshot'], {
        ...etcd.env,
        QUORUM_SNAPSHOT_DIR: await tmpDir('quorum-tls-'),
      });
      expect(r.code, r.stdout + r.stderr).toBe(0);
    } finally {
      await etcd.close();
    }
  });

  it('works with etcd auth on (the etcd3 snapshot bug is worked around)', async () => {
    const etcd = await startEtcd({ auth: { rootPassword: 'snap-pw' } });
    try {
      const dir = await tmpDir('quorum-auth-');
      const r = await quorum(['etcd', 'snapshot'], { ...etcd.env, QUORUM_SNAPSHOT_DIR: dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(readdirSync(dir).filter((f) => f.endsWith('.db'))).toHaveLength(1);
    } finally {
      await etcd.close();
    }
  });
});

describe('a process killed mid-snapshot', () => {
  it('leaves no listed snapshot, and the next run removes its temp file', async () => {
    const etcd = await startEtcd();
    try {
      await fillEtcd(etcd.endpoints, { bytes: 192 * 2 ** 20 });
      const dir = await tmpDir('quorum-kill-');
      const env = cleanEnv({ ...etcd.env, QUORUM_SNAPSHOT_DIR: dir, LOG_LEVEL: 'silent' });
      const child = spawnChild(process.execPath, [QUORUM_BIN, 'etcd', 'snapshot'], { env });
      const partial = () => readdirSync(dir).find((f) => f.endsWith('.partial'));
      await waitFor(
        () => Promise.resolve(Boolean(partial() && statSync(`${dir}/${partial()}`).size > 0)),
        {
          what: 'the snapshot to start streaming',
          intervalMs: 2,
          timeoutMs: 20_000,
        },
      );
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const leftover = partial()!;
      expect(existsSync(`${dir}/${leftover}`)).toBe(true);
      const list = await quorum(['etcd', 'snapshots', '--json'], env);
      expect((JSON.parse(list.stdout) as { snapshots: unknown[] }).snapshots).toEqual([]);

      const next = await quorum(['etcd', 'snapshot', '--json'], env);
      expect(next.code).toBe(0);
      expect((JSON.parse(next.stdout) as { data: { cleanedUp: string[] } }).data.cleanedUp).toEqual(
        [leftover],
      );
      expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
      const after = await quorum(['etcd', 'snapshots', '--json'], env);
      expect((JSON.parse(after.stdout) as { snapshots: unknown[] }).snapshots).toHaveLength(1);
    } finally {
      await etcd.close();
    }
  });
});
