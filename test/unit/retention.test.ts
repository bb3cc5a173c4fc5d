import { describe, expect, it } from 'vitest';
import type { SnapshotEntry } from '../../src/domain/snapshot.js';
import { selectRetention } from '../../src/operations/etcd/retention.js';

const HOUR = 3_600_000;
const now = new Date('2026-11-26T12:30:00Z');
const entry = (hoursAgo: number, verified = true): SnapshotEntry => {
  const at = new Date(now.getTime() - hoursAgo * HOUR).toISOString();
  return {
    id: `s-${hoursAgo}h`,
    path: `/x/${hoursAgo}`,
    cluster: 'c',
    createdAt: at,
    size: 1,
    verified,
  };
};
const policy = { keepLast: 3, hourly: 24, daily: 7, weekly: 4 };
const ids = (list: SnapshotEntry[]) => list.map((e) => e.id);

describe('snapshot retention', () => {
  // One snapshot every 6 hours for 8 weeks, newest first.
  const every6h = Array.from({ length: 8 * 7 * 4 }, (_, i) => entry(i * 6 + 0.25));

  it('keeps the last N, then one per hour for a day, one per day for a week, one per week for four weeks', () => {
    const d = selectRetention(every6h, policy, now);
    const kept = d.keep.map((k) => k.entry);
    const ages = kept.map((e) => (now.getTime() - Date.parse(e.createdAt)) / HOUR);
    // last 3 + the 24 h window (every 6h snapshot is its own hour) + one per day + one per week
    // every snapshot of the last 24 h (each 6-hourly one is alone in its hour)
    expect(ages.filter((a) => a < 24)).toHaveLength(4);
    // one per calendar day for the 7 days up to today
    const days = new Set(kept.map((e) => e.createdAt.slice(0, 10)));
    for (let d = 0; d < 7; d++) {
      expect(days.has(new Date(now.getTime() - d * 24 * HOUR).toISOString().slice(0, 10))).toBe(
        true,
      );
    }
    // one per week (weeks start Monday) for 4 weeks, and nothing older. 2026-11-26 is a
    // Thursday: the weeks of Nov 23 and Nov 16 are covered by dailies already, leaving
    // the weeks of Nov 9 and Nov 2, each kept by its newest snapshot.
    expect(
      kept.filter((_, i) => (ages[i] ?? 0) >= 7 * 24).map((e) => e.createdAt.slice(0, 10)),
    ).toEqual(['2026-11-15', '2026-11-08']);
    expect(d.keep.length + d.remove.length).toBe(every6h.length);
    // nothing older than 4 full weeks survives
    expect(d.remove.length).toBeGreaterThan(150);
  });

  it('keeps the newest of each day, not the oldest', () => {
    const day = [entry(30), entry(33), entry(36)]; // all on 2026-11-25
    const d = selectRetention(day, { keepLast: 0, hourly: 0, daily: 7, weekly: 0 }, now);
    expect(ids(d.keep.map((k) => k.entry))).toEqual(['s-30h']);
  });

  it('never removes the newest verified snapshot, even with a zero policy', () => {
    const list = [entry(1, false), entry(2), entry(500)];
    const d = selectRetention(list, { keepLast: 0, hourly: 0, daily: 0, weekly: 0 }, now);
    expect(d.keep.map((k) => [k.entry.id, k.reasons])).toEqual([['s-2h', ['newest verified']]]);
    expect(ids(d.remove)).toEqual(['s-1h', 's-500h']);
  });

  it('says why each snapshot is kept', () => {
    const d = selectRetention([entry(0.1), entry(0.5)], policy, now);
    expect(d.keep[0]?.reasons).toEqual(['last 3', 'hourly', 'daily', 'weekly', 'newest verified']);
    expect(d.keep[1]?.reasons).toEqual(['last 3']);
  });
});
