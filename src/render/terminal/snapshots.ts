/** Snapshot lists, retention decisions and defrag results as terminal tables. */
import { formatAge, formatBytes, formatDuration } from '../../domain/units.js';
import type {
  DefragMemberResult,
  RetentionDecision,
  SnapshotEntry,
} from '../../domain/snapshot.js';
import { table } from './text.js';

const age = (iso: string, now: Date) => (iso ? formatAge(iso, now) : '?');

/** A re-read of one file (`quorum etcd snapshots --verify`); operations/etcd/snapshot-verify.ts. */
export interface SnapshotRecheckResult {
  id: string;
  intact: boolean;
  problem?: string;
}

export interface SnapshotListView {
  cluster: string;
  /** The store read: an absolute directory, or `s3://bucket/prefix`. */
  dir: string;
  entries: readonly SnapshotEntry[];
  /** Present with --verify: one per entry. */
  rechecks?: readonly SnapshotRecheckResult[];
}

const TAKEN = 'CHECKED WHEN TAKEN';
const NOW = 'RE-CHECKED NOW';

/** The list, the directory it came from, and what its check columns mean. */
export function snapshotTable(view: SnapshotListView, now: Date): string {
  const { entries, rechecks } = view;
  if (entries.length === 0) return `No snapshots of ${view.cluster} in ${view.dir}.`;
  const recheck = new Map(rechecks?.map((r) => [r.id, r]));
  const cell = (id: string) => {
    const r = recheck.get(id);
    return !r ? '?' : r.intact ? 'intact' : `DAMAGED: ${r.problem ?? '?'}`;
  };
  const rows = table(
    ['ID', 'AGE', 'REVISION', 'SIZE', TAKEN, ...(rechecks ? [NOW] : [])],
    entries.map((e) => [
      e.id,
      age(e.createdAt, now),
      String(e.revision ?? '?'),
      formatBytes(e.size),
      e.verified ? 'yes' : `NO: ${e.problem ?? '?'}`,
      ...(rechecks ? [cell(e.id)] : []),
    ]),
  );
  const legend = [
    `${TAKEN}: the stream's SHA-256 matched as it was saved and the file is still that size;`,
    `  the file is not re-read (\`quorum etcd snapshots --verify\` does).`,
  ];
  if (rechecks) {
    const damaged = rechecks.filter((r) => !r.intact).length;
    legend.push(
      `${NOW}: each file re-read: bbolt header, trailing SHA-256, the SHA-256 in its sidecar.`,
      damaged
        ? `${damaged} of ${rechecks.length} damaged: do not restore from ${damaged === 1 ? 'it' : 'them'}.`
        : `All ${rechecks.length} intact.`,
    );
  }
  const n = entries.length;
  const head = `${n} snapshot${n === 1 ? '' : 's'} of ${view.cluster} in ${view.dir}, newest first:`;
  return [head, '', rows, '', ...legend].join('\n');
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

/** What `prune` did about leftovers of interrupted snapshots (temp files, unfinished uploads). */
export function cleanupText(
  cleanup: { cleaned: readonly string[]; notes: readonly string[] },
  dryRun: boolean,
): string {
  const lines = [
    ...cleanup.cleaned.map((c) => `${dryRun ? 'Would clean up' : 'Cleaned up'}: ${c}`),
    ...cleanup.notes.map((n) => `Note: ${n}`),
  ];
  return lines.join('\n');
}
