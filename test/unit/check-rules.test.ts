import { describe, expect, it } from 'vitest';
import { thresholdsSchema } from '../../src/config/schema.js';
import type { MemberProbe, MemberStatus } from '../../src/domain/etcd.js';
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
    expect(sev(otherCompaction, 'etcd.consistency')).toEqual(['ok']);
  });

  it('alarms: NOSPACE is crit and its remedy is compact, defrag, disarm', () => {
    const f = facts([probe('a')]);
    f.view.alarms = [{ memberId: 'a', alarm: 'NOSPACE' }];
    const [nospace] = find(f, 'etcd.alarm.nospace');
    expect(nospace?.severity).toBe('crit');
    expect(nospace?.remedy).toMatch(/compact[\s\S]*defrag[\s\S]*disarm/);
  });

  it('versions and latency', () => {
    expect(
      sev(facts([probe('a'), probe('b', {}, { version: '3.4.23' })]), 'etcd.versions'),
    ).toEqual(['warn']);
    const slow = (wal: number, commit: number) =>
      facts([
        probe('a', {
          metrics: {
            walFsyncP99Ms: wal,
            backendCommitP99Ms: commit,
            hasLeader: true,
            leaderChanges: 1,
          },
        }),
      ]);
    expect(sev(slow(11, 1), 'etcd.latency.wal-fsync')).toEqual(['warn']);
    expect(sev(slow(1001, 1), 'etcd.latency.wal-fsync')).toEqual(['crit']);
    expect(sev(slow(1, 26), 'etcd.latency.backend-commit')).toEqual(['warn']);
    expect(sev(slow(1, 251), 'etcd.latency.backend-commit')).toEqual(['crit']);
    expect(sev(slow(1, 1), 'etcd.latency')).toEqual(['ok']);
    expect(
      sev(facts([probe('a', { metricsError: 'refused' })]), 'etcd.metrics.unavailable'),
    ).toEqual(['info']);
  });
});
