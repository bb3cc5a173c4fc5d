/** Snapshot lists, retention decisions and defrag results as terminal tables. */
import { formatBytes, formatDuration } from '../../config/units.js';
import type {
  DefragMemberResult,
  RetentionDecision,
  SnapshotEntry,
} from '../../domain/snapshot.js';
import { table } from './text.js';

const age = (iso: string, now: Date) =>
  iso ? formatDuration(Math.max(0, now.getTime() - Date.parse(iso))) : '?';

export function snapshotTable(entries: readonly SnapshotEntry[], now: Date): string {
  if (entries.length === 0) return 'No snapshots kept.';
  return table(
    ['ID', 'AGE', 'REVISION', 'SIZE', 'VERIFIED'],
    entries.map((e) => [
      e.id,
      age(e.createdAt, now),
      String(e.revision ?? '?'),
      formatBytes(e.size),
      e.verified ? 'yes' : `NO: ${e.problem ?? '?'}`,
    ]),
  );
}

export function retentionText(decision: RetentionDecision, dryRun: boolean, now: Date): string {
  const keep = table(
    ['KEEP', 'AGE', 'WHY'],
    decision.keep.map((k) => [k.entry.id, age(k.entry.createdAt, now), k.reasons.join(', ')]),
  );
  if (decision.remove.length === 0) return `${keep}\n\nNothing to remove.`;
  const remove = table(
    [dryRun ? 'WOULD REMOVE' : 'REMOVED', 'AGE', 'SIZE'],
    decision.remove.map((e) => [e.id, age(e.createdAt, now), formatBytes(e.size)]),
  );
  return `${keep}\n\n${remove}`;
}

export function defragTable(members: readonly DefragMemberResult[]): string {
  return table(
    ['#', 'MEMBER', 'ROLE', 'BEFORE', 'AFTER', 'RECLAIMED', 'TOOK', 'RESULT'],
    members.map((m, i) => [
      String(i + 1),
      m.name,
      m.isLeader ? 'leader' : 'follower',
      m.before !== undefined ? formatBytes(m.before) : '-',
      m.after !== undefined ? formatBytes(m.after) : '-',
      m.before !== undefined && m.after !== undefined ? formatBytes(m.before - m.after) : '-',
      m.durationMs !== undefined ? formatDuration(m.durationMs) : '-',
      m.skipped ? 'skipped' : (m.error ?? 'done'),
    ]),
  );
}
