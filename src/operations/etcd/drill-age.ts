/**
 * The age of the newest drilled snapshot beside the newest snapshot, for the etcd check
 * (job) and the upgrade precheck: a hash that matched says a file is whole, a drill says
 * it restores. Information, except when the last drill failed (a warning naming it).
 */
import type { DrillHistory } from '../../domain/drill.js';
import type { Finding } from '../../domain/report.js';
import { formatAge, formatDuration } from '../../domain/units.js';

export interface DrillAgeInput {
  /** The finding's id, e.g. `etcd.snapshot.drill` or `upgrade.gate.snapshot-drill`. */
  id: string;
  cluster: string;
  now: Date;
  /** The newest verified snapshot, when the caller has it at hand. */
  newest?: { id: string; createdAt: string };
  drills: DrillHistory;
}

const age = (now: Date, at: string) => formatAge(at, now);

export function drillAgeFindings(input: DrillAgeInput): Finding[] {
  const { id, cluster, now, newest, drills } = input;
  const drill = `\`/etcd-snapshot drill ${cluster}\` in Slack, or \`quorum etcd drill latest --cluster ${cluster}\``;
  const newestText = newest
    ? `The newest snapshot, ${newest.id}, is ${age(now, newest.createdAt)} old`
    : 'No verified snapshot is kept';
  const success = drills.lastSuccess;
  const out: Finding[] = [
    success
      ? {
          id,
          severity: 'info',
          title: `Newest drilled snapshot: ${success.snapshotId}, ${age(now, success.snapshotCreatedAt)} old (drilled ${age(now, success.drilledAt)} ago, restored in ${formatDuration(success.totalMs)})`,
          detail: `${newestText}.`,
        }
      : {
          id,
          severity: 'info',
          title: 'No snapshot has been restored in a drill: restoring is unproven',
          detail: `${newestText}. Drill one: ${drill}.`,
        },
  ];
  const last = drills.last;
  if (last && !last.ok && (!success || last.drilledAt > success.drilledAt)) {
    out.push({
      id,
      severity: 'warn',
      title: `The last drill (${last.snapshotId}, ${age(now, last.drilledAt)} ago) failed: ${last.summary}`,
      remedy: `Read its report, take a new snapshot and drill it: ${drill}.`,
    });
  }
  return out;
}
