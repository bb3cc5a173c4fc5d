/**
 * The cluster-state half of the backup report: etcd's snapshots, as the snapshot store
 * keeps them — the newest (its age, store, whether it verified), its age against the
 * cluster's snapshot schedule (older than twice the interval is critical), and the newest
 * drilled one (drill-age.ts, shared with the etcd check and the upgrade precheck).
 */
import type { ClusterStateData } from '../../domain/backup.js';
import type { DrillHistory } from '../../domain/drill.js';
import type { Finding } from '../../domain/report.js';
import type { SnapshotEntry } from '../../domain/snapshot.js';
import { formatAge, formatDuration } from '../../domain/units.js';
import { drillAgeFindings } from '../etcd/drill-age.js';
import { scheduleIntervalMs } from './interval.js';

export interface ClusterStateInput {
  cluster: string;
  now: Date;
  /** Where the snapshots are kept, for messages (a directory or s3://…). */
  location: string;
  /** The cluster's snapshots, newest first. */
  snapshots: SnapshotEntry[];
  /** `schedules.<cluster>.snapshot` as the config parses it: every (ms) or cron; undefined when none is set. */
  schedule?: { every?: number; cron?: string };
  drills: DrillHistory;
}

const ID = 'backup.etcd.snapshot';
const age = (now: Date, at: string) => formatAge(at, now);

function scheduleText(s: NonNullable<ClusterStateInput['schedule']>): string {
  return s.cron ? `cron "${s.cron}"` : `every ${formatDuration(s.every ?? 0)}`;
}

function freshness(input: ClusterStateInput, data: ClusterStateData): Finding {
  const take = `\`/etcd-snapshot ${input.cluster}\` in Slack, or \`quorum etcd snapshot --cluster ${input.cluster}\``;
  const v = data.newestVerified;
  if (!input.schedule) {
    return {
      id: `${ID}.schedule`,
      severity: 'warn',
      title: `No snapshot schedule for ${input.cluster}: etcd is snapshotted only by hand`,
      remedy: `Schedule one in the config: \`schedules: { ${input.cluster}: { snapshot: { every: 6h } } }\`; take one now: ${take}.`,
    };
  }
  const interval = data.intervalMs;
  if (!interval) {
    return {
      id: `${ID}.schedule`,
      severity: 'warn',
      title: `The snapshot schedule (${scheduleText(input.schedule)}) could not be read: freshness unchecked`,
    };
  }
  const old = v ? input.now.getTime() - Date.parse(v.createdAt) : undefined;
  if (old === undefined || old > 2 * interval) {
    return {
      id: `${ID}.schedule`,
      severity: 'crit',
      title: v
        ? `The newest verified snapshot is ${age(input.now, v.createdAt)} old: more than twice the schedule (${scheduleText(input.schedule)})`
        : `The schedule (${scheduleText(input.schedule)}) has produced no verified snapshot`,
      remedy: `Check the worker's log and the scheduled job (\`quorum audit-log --since 24h\`); take one now: ${take}.`,
    };
  }
  return {
    id: `${ID}.schedule`,
    severity: 'ok',
    title: `Snapshots on schedule (${scheduleText(input.schedule)})`,
  };
}

function newestFinding(input: ClusterStateInput, data: ClusterStateData): Finding {
  const n = data.newest;
  if (!n) {
    return {
      id: ID,
      severity: 'crit',
      title: `No etcd snapshot of ${input.cluster} in ${input.location}`,
      remedy: `Take one: \`/etcd-snapshot ${input.cluster}\` in Slack, or \`quorum etcd snapshot --cluster ${input.cluster}\`.`,
    };
  }
  const where = `in ${input.location}`;
  if (!n.verified) {
    const v = data.newestVerified;
    return {
      id: ID,
      severity: 'warn',
      title: `The newest snapshot ${n.id} (${age(input.now, n.createdAt)} old) did not verify${n.problem ? `: ${n.problem}` : ''}`,
      detail: v
        ? `The newest verified one is ${v.id}, ${age(input.now, v.createdAt)} old, ${where}.`
        : `No snapshot ${where} verified.`,
      remedy: `\`quorum etcd verify ${n.id} --cluster ${input.cluster}\`; take a new one if it stays unverified.`,
    };
  }
  return {
    id: ID,
    severity: 'ok',
    title: `Newest snapshot ${n.id}: ${age(input.now, n.createdAt)} old, verified, ${where}`,
  };
}

export function clusterState(input: ClusterStateInput): {
  findings: Finding[];
  data: ClusterStateData;
} {
  const [newest] = input.snapshots;
  const verified = input.snapshots.find((s) => s.verified);
  const interval =
    input.schedule &&
    (input.schedule.every ??
      (input.schedule.cron ? scheduleIntervalMs(input.schedule.cron, input.now) : undefined));
  const success = input.drills.lastSuccess;
  const data: ClusterStateData = {
    location: input.location,
    ...(newest
      ? {
          newest: {
            id: newest.id,
            createdAt: newest.createdAt,
            verified: newest.verified,
            ...(newest.problem ? { problem: newest.problem } : {}),
          },
        }
      : {}),
    ...(verified ? { newestVerified: { id: verified.id, createdAt: verified.createdAt } } : {}),
    ...(input.schedule ? { schedule: scheduleText(input.schedule) } : {}),
    ...(interval ? { intervalMs: interval } : {}),
    ...(success
      ? { drilled: { snapshotId: success.snapshotId, drilledAt: success.drilledAt } }
      : {}),
  };
  const drills = drillAgeFindings({
    id: 'backup.etcd.drill',
    cluster: input.cluster,
    now: input.now,
    ...(data.newestVerified ? { newest: data.newestVerified } : {}),
    drills: input.drills,
  });
  return { findings: [newestFinding(input, data), freshness(input, data), ...drills], data };
}
