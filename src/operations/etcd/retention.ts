/**
 * Which snapshots to keep: the last N, plus the newest of each hour for `hourly`
 * hours, of each day for `daily` days, of each week for `weekly` weeks (the
 * exponential policy of serious backup tools). The newest verified snapshot is
 * never removed. Pure: `now` is passed in.
 */
import type { RetentionDecision, RetentionPolicy, SnapshotEntry } from '../../domain/snapshot.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** 1970-01-01 was a Thursday; shift so that weeks start on Monday. */
const MONDAY_OFFSET = 3 * DAY;

const windows = (p: RetentionPolicy) =>
  [
    { reason: 'hourly', span: HOUR, count: p.hourly, offset: 0 },
    { reason: 'daily', span: DAY, count: p.daily, offset: 0 },
    { reason: 'weekly', span: WEEK, count: p.weekly, offset: MONDAY_OFFSET },
  ] as const;

/** `entries` newest first, as a store lists them. */
export function selectRetention(
  entries: readonly SnapshotEntry[],
  policy: RetentionPolicy,
  now: Date,
): RetentionDecision {
  const reasons = new Map<SnapshotEntry, string[]>();
  const keep = (e: SnapshotEntry, why: string) => reasons.set(e, [...(reasons.get(e) ?? []), why]);
  const sorted = [...entries].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  sorted.slice(0, policy.keepLast).forEach((e) => keep(e, `last ${policy.keepLast}`));
  for (const w of windows(policy)) {
    const nowBucket = Math.floor((now.getTime() + w.offset) / w.span);
    const seen = new Set<number>();
    for (const e of sorted) {
      const bucket = Math.floor((Date.parse(e.createdAt) + w.offset) / w.span);
      if (nowBucket - bucket >= w.count || seen.has(bucket) || !e.verified) continue;
      seen.add(bucket);
      keep(e, w.reason);
    }
  }
  const newestVerified = sorted.find((e) => e.verified);
  if (newestVerified) keep(newestVerified, 'newest verified');
  return {
    keep: sorted
      .filter((e) => reasons.has(e))
      .map((entry) => ({ entry, reasons: reasons.get(entry) ?? [] })),
    remove: sorted.filter((e) => !reasons.has(e)),
  };
}
