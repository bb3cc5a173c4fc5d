import { describe, expect, it } from 'vitest';
import { thresholdsSchema } from '../../src/config/schema.js';
import type { LatencyWindow, MemberProbe, MemberStatus } from '../../src/domain/etcd.js';
import { checkFindings, type CheckFacts } from '../../src/operations/etcd/check-rules.js';

const MiB = 2 ** 20;
const status = (id: string, over: Partial<MemberStatus> = {}): MemberStatus => ({
  memberId: id,
  version: '3.5.15',
  dbSize: 10 * MiB,
  dbSizeInUse: 8 * MiB,
  leader: 'a',
  raftTerm: 2,
  raftIndex: 100,
  raftAppliedIndex: 100,
  isLearner: false,
  errors: [],
  revision: 50,
  ...over,
});
const probe = (
  id: string,
  over: Partial<MemberProbe> = {},
  s: Partial<MemberStatus> = {},
): MemberProbe => ({
  endpoint: `http://${id}:2379`,
  status: status(id, s),
  healthy: true,
  applyLag: [0, 0],
  hash: { hash: 7, compactRevision: 1, revision: 50 },
  ...over,
});
const facts = (probes: MemberProbe[], over: Partial<CheckFacts> = {}): CheckFacts => ({
  probes,
  view: {
    members: probes.map((p) => ({
      id: p.status?.memberId ?? p.endpoint.slice(7, 8),
      name: `m-${p.endpoint.slice(7, 8)}`,
      peerUrls: [],
      clientUrls: [p.endpoint],
      isLearner: false,
    })),
    alarms: [],
  },
  quota: { bytes: 100 * MiB, source: 'config' },
  thresholds: thresholdsSchema.parse({}),
  ...over,
});
const find = (f: CheckFacts, id: string) => checkFindings(f).filter((x) => x.id === id);
const sev = (f: CheckFacts, id: string) => find(f, id).map((x) => x.severity);

describe('etcd check rules', () => {
  it('quorum: ok with all up, warn at the edge, crit when lost', () => {
    const three = ['a', 'b', 'c'];
    expect(sev(facts(three.map((id) => probe(id))), 'etcd.quorum')).toEqual(['ok']);
    const oneDown = facts([
      probe('a'),
      probe('b'),
      { endpoint: 'http://c:2379', healthy: false, applyLag: [] },
    ]);
    expect(sev(oneDown, 'etcd.quorum')).toEqual(['warn']);
    const twoDown = facts([
      probe('a', { healthy: false }),
      probe('b', { healthy: false }),
      probe('c', { healthy: false }),
    ]);
    expect(sev(twoDown, 'etcd.quorum')).toEqual(['crit']);
  });

  it('five members with one down still tolerate one failure; four members are even', () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((id) => probe(id));
    five[4] = { ...five[4]!, healthy: false };
    expect(sev(facts(five), 'etcd.quorum')).toEqual(['ok']);
    expect(sev(facts(five.slice(0, 4)), 'etcd.quorum.even')).toEqual(['warn']);
  });

  it('leader: crit with none or with disagreement, warn on split terms', () => {
    const none = facts(['a', 'b', 'c'].map((id) => probe(id, {}, { leader: '0000000000000000' })));
    expect(sev(none, 'etcd.leader')).toEqual(['crit']);
    const split = facts([probe('a'), probe('b', {}, { leader: 'b' }), probe('c')]);
    expect(sev(split, 'etcd.leader')).toEqual(['crit']);
    const terms = facts([probe('a'), probe('b', {}, { raftTerm: 3 }), probe('c')]);
    expect(sev(terms, 'etcd.leader.term')).toEqual(['warn']);
  });

  it('db size against the quota: 79 % ok, 80 % warn, 95 % crit; quota over 8 GiB warns', () => {
    const at = (pct: number) =>
      facts([probe('a', {}, { dbSize: pct * MiB, dbSizeInUse: pct * MiB })]);
    expect(sev(at(79), 'etcd.db.quota')).toEqual(['ok']);
    expect(sev(at(80), 'etcd.db.quota')).toEqual(['warn']);
    expect(sev(at(95), 'etcd.db.quota')).toEqual(['crit']);
    const big = facts([probe('a')], { quota: { bytes: 9 * 2 ** 30, source: 'config' } });
    expect(sev(big, 'etcd.db.quota-large')).toEqual(['warn']);
  });

  it('fragmentation: below half in use with more than 100 MiB in use', () => {
    const frag = (size: number, inUse: number) =>
      sev(
        facts([probe('a', {}, { dbSize: size * MiB, dbSizeInUse: inUse * MiB })], {
          quota: { bytes: 2 ** 31, source: 'default' },
        }),
        'etcd.db.fragmented',
      );
    expect(frag(300, 101)).toEqual(['warn']);
    expect(frag(300, 99)).toEqual([]);
    expect(frag(200, 101)).toEqual([]);
  });

  it('apply lag warns only when large in both samples', () => {
    expect(sev(facts([probe('a', { applyLag: [6000, 7000] })]), 'etcd.apply-lag')).toEqual([
      'warn',
    ]);
    expect(sev(facts([probe('a', { applyLag: [6000, 10] })]), 'etcd.apply-lag')).toEqual([]);
  });

  it('consistency: crit when hashes differ at the same compact revision', () => {
    const bad = facts([
      probe('a'),
      probe('b', { hash: { hash: 8, compactRevision: 1, revision: 50 } }),
      probe('c'),
    ]);
    expect(sev(bad, 'etcd.consistency')).toEqual(['crit']);
    const otherCompaction = facts([
      probe('a'),
      probe('b', { hash: { hash: 8, compactRevision: 2, revision: 50 } }),
    ]);
    // Hashes over different compaction points cannot be compared: not ok, and said so.
    expect(sev(otherCompaction, 'etcd.consistency')).toEqual(['warn']);
    expect(find(otherCompaction, 'etcd.consistency')[0]?.title).toMatch(
      /^Consistency not compared/,
    );
    const oneFailed = facts([
      probe('a'),
      probe('b'),
      probe('c', { hash: undefined, hashError: 'x' }),
    ]);
    expect(find(oneFailed, 'etcd.consistency')[0]).toMatchObject({
      severity: 'warn',
      title: 'HashKV agrees on 2 of 3 reachable members at revision 50',
    });
  });

  it('alarms: NOSPACE is crit and its remedy is compact, defrag, disarm', () => {
    const f = facts([probe('a')]);
    f.view.alarms = [{ memberId: 'a', alarm: 'NOSPACE' }];
    const [nospace] = find(f, 'etcd.alarm.nospace');
    expect(nospace?.severity).toBe('crit');
    expect(nospace?.remedy).toMatch(/compact[\s\S]*defrag[\s\S]*disarm/);
  });

  it('versions', () => {
    expect(
      sev(facts([probe('a'), probe('b', {}, { version: '3.4.23' })]), 'etcd.versions'),
    ).toEqual(['warn']);
    expect(
      sev(facts([probe('a', { metricsError: 'refused' })]), 'etcd.metrics.unavailable'),
    ).toEqual(['info']);
  });

  describe('disk latency, judged on the recent window', () => {
    const FOUR_MIN_TEN = 250_000;
    const window = (wal: number, commit: number, over: Partial<LatencyWindow> = {}) => ({
      from: 1_000_000,
      to: 1_000_000 + FOUR_MIN_TEN,
      base: 'previous-check' as const,
      walFsync: { observations: 500, p99Ms: wal },
      backendCommit: { observations: 500, p99Ms: commit },
      ...over,
    });
    const member = (id: string, w?: LatencyWindow, lifetime = 1) =>
      probe(id, {
        metrics: {
          walFsyncP99Ms: lifetime,
          backendCommitP99Ms: lifetime,
          hasLeader: true,
          leaderChanges: 1,
          window: w,
        },
      });
    const latency = (f: CheckFacts) =>
      checkFindings(f).filter((x) => x.id.startsWith('etcd.latency'));

    it('warns and crits on the window p99, each title naming the threshold crossed', () => {
      const one = (wal: number, commit: number) => facts([member('a', window(wal, commit))]);
      expect(sev(one(11, 1), 'etcd.latency.wal-fsync')).toEqual(['warn']);
      expect(sev(one(1001, 1), 'etcd.latency.wal-fsync')).toEqual(['crit']);
      expect(sev(one(1, 26), 'etcd.latency.backend-commit')).toEqual(['warn']);
      const [crit] = find(one(1, 252), 'etcd.latency.backend-commit');
      expect(crit?.severity).toBe('crit');
      expect(crit?.title).toBe(
        'm-a (http://a:2379): backend commit p99 252.0 ms over the last 4m 10s (crit above 250 ms)',
      );
      const [warn] = find(one(11, 1), 'etcd.latency.wal-fsync');
      expect(warn?.title).toMatch(
        /WAL fsync p99 11\.0 ms over the last 4m 10s \(warn above 10 ms\)$/,
      );
      expect(warn?.detail).toMatch(/since the previous check \(4m 10s\): 500 WAL fsyncs/);
    });

    it('a member slow since boot but fast in the window has no warning; lifetime only in detail', () => {
      const f = facts([member('a', window(2, 3), 5_000)]);
      expect(latency(f).map((x) => [x.id, x.severity])).toEqual([['etcd.latency', 'ok']]);
      const [ok] = latency(f);
      expect(ok?.title).toBe(
        'Disk latency p99 over the last 4m 10s: WAL fsync 2.0 ms, backend commit 3.0 ms',
      );
      expect(ok?.detail).toMatch(
        /Since the member started \(not judged\): p99 WAL fsync 5000\.0 ms/,
      );
    });

    it('too few observations in the window: info with the counts and window, never ok or warn', () => {
      const sparse = window(900, 900, {
        base: 'this-check',
        to: 1_000_000 + 1_200,
        walFsync: { observations: 3, p99Ms: 900 },
        backendCommit: { observations: 99, p99Ms: 900 },
      });
      const f = facts([member('a', sparse, 5_000)]);
      const found = latency(f);
      expect(found.map((x) => [x.id, x.severity])).toEqual([
        ['etcd.latency.few-observations', 'info'],
      ]);
      expect(found[0]?.title).toBe(
        'm-a (http://a:2379): disk latency not judged, too few observations over the last 1.2s (3 WAL fsyncs, 99 backend commits; needs 100 of each)',
      );
      // Not enough of one histogram: the other is still judged; no ok for the member.
      const halfSparse = window(900, 2, { walFsync: { observations: 0 } });
      expect(latency(facts([member('a', halfSparse)])).map((x) => x.id)).toEqual([
        'etcd.latency.few-observations',
      ]);
      const walSlow = window(50, 2, { backendCommit: { observations: 10, p99Ms: 2 } });
      expect(latency(facts([member('a', walSlow)])).map((x) => x.id)).toEqual([
        'etcd.latency.wal-fsync',
        'etcd.latency.few-observations',
      ]);
    });

    it('ok only when every member with metrics had enough observations and none crossed', () => {
      const both = facts([member('a', window(2, 3)), member('b', window(4, 5))]);
      expect(sev(both, 'etcd.latency')).toEqual(['ok']);
      const oneSparse = facts([
        member('a', window(2, 3)),
        member('b', window(1, 1, { walFsync: { observations: 5, p99Ms: 1 } })),
      ]);
      expect(sev(oneSparse, 'etcd.latency')).toEqual([]);
      expect(sev(oneSparse, 'etcd.latency.few-observations')).toEqual(['info']);
      // Lifetime figures alone (no window measured) are never a verdict.
      const noWindow = facts([member('a', undefined, 5_000)]);
      expect(latency(noWindow).map((x) => x.severity)).toEqual(['info']);
    });

    it('the minimum is a threshold', () => {
      const f = facts([member('a', window(2, 3, { walFsync: { observations: 20, p99Ms: 2 } }))], {
        thresholds: thresholdsSchema.parse({ latencyMinObservations: 20 }),
      });
      expect(sev(f, 'etcd.latency')).toEqual(['ok']);
    });
  });
});
