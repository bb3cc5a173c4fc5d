/**
 * Periodic jobs per cluster with BullMQ job schedulers: `every` N ms, or a cron
 * pattern in UTC. A scheduler lives in Redis and makes one job per interval, with an
 * id derived from its time slot, so any number of workers run each slot once. One
 * scheduler per (cluster, kind): its id is the kind. Schedules from the config file
 * are applied whenever a worker starts (and removed there when deleted from the file);
 * schedules set from Slack are left alone by that.
 */
import type { Config, ScheduleConfig } from '../../config/schema.js';
import type { Logger } from '../../domain/logger.js';
import { checkCron } from '../../domain/cron.js';
import { QuorumError } from '../../domain/errors.js';
import { CATALOGUE } from './catalogue.js';
import { jobOptions } from './enqueue.js';
import type { JobEnvelope, ReportTarget } from './job-data.js';
import type { JobQueues } from './queues.js';

/** The kinds that may run on a schedule: they change nothing but the snapshot directory. */
export const SCHEDULABLE = {
  snapshot: 'etcd.snapshot',
  check: 'etcd.check',
  security: 'security.audit',
  drill: 'etcd.drill',
} as const;

export interface ScheduleSpec {
  every?: number;
  /** Five cron fields, evaluated in UTC. */
  cron?: string;
  target: ReportTarget;
  /** `config` for the file's schedules, `slack` (or anything else) for the rest. */
  source?: string;
}

export interface ScheduleInfo {
  cluster: string;
  kind: string;
  every?: number;
  cron?: string;
  /** The next run, when known. */
  next?: Date;
  target?: ReportTarget;
  source?: string;
}

type Template = JobEnvelope & { source?: string };

/** Creates or changes the schedule of `kind` on `cluster`. */
export async function setSchedule(
  queues: JobQueues,
  cluster: string,
  kind: string,
  spec: ScheduleSpec,
): Promise<void> {
  const def = CATALOGUE.get(kind);
  if (!def || !Object.values<string>(SCHEDULABLE).includes(kind)) {
    throw new QuorumError(
      'JOB_INVALID',
      `"${kind}" cannot be scheduled.`,
      `Schedule one of: ${Object.values(SCHEDULABLE).join(', ')}.`,
    );
  }
  if ((spec.every === undefined) === (spec.cron === undefined)) {
    throw new QuorumError('JOB_INVALID', 'A schedule needs exactly one of every or cron.');
  }
  // Slash commands and the config file checked it already; a caller that did not gets the same answer.
  const cron = spec.cron === undefined ? undefined : checkCron(spec.cron);
  if (cron && !cron.ok) {
    throw new QuorumError(
      'JOB_INVALID',
      `"${spec.cron}" is not a cron pattern: ${cron.problem}.`,
      'Write five fields in UTC, e.g. "0 */6 * * *" (every 6 hours).',
    );
  }
  const data: Template = {
    cluster,
    params: {},
    requestId: `schedule.${kind}`,
    requestedBy: `schedule ${kind}`,
    target: spec.target,
    enqueuedAt: new Date().toISOString(),
    source: spec.source,
  };
  const repeat =
    spec.every !== undefined ? { every: spec.every } : { pattern: spec.cron, tz: 'UTC' };
  const { attempts, backoff, removeOnComplete, removeOnFail } = jobOptions(def);
  await queues.queue(cluster).upsertJobScheduler(kind, repeat, {
    name: kind,
    data,
    opts: { attempts, backoff, removeOnComplete, removeOnFail },
  });
}

export async function listSchedules(queues: JobQueues, cluster: string): Promise<ScheduleInfo[]> {
  const schedulers = await queues.queue(cluster).getJobSchedulers(0, -1, true);
  return schedulers.map((s) => {
    const data: Template | undefined = s.template?.data;
    return {
      cluster,
      kind: s.id ?? s.key,
      every: s.every ?? undefined,
      cron: s.pattern ?? undefined,
      next: s.next ? new Date(s.next) : undefined,
      target: data?.target,
      source: data?.source,
    };
  });
}

/** True when there was a schedule to remove. */
export function removeSchedule(queues: JobQueues, cluster: string, kind: string): Promise<boolean> {
  return queues.queue(cluster).removeJobScheduler(kind);
}

/** Makes Redis match the config file's `schedules` for `clusters`; returns what changed. */
export async function applyConfiguredSchedules(
  queues: JobQueues,
  config: Config,
  clusters: readonly string[],
  logger: Logger,
): Promise<string[]> {
  const changes: string[] = [];
  for (const cluster of clusters) {
    const wanted = config.schedules[cluster] ?? {};
    const existing = await listSchedules(queues, cluster);
    for (const [short, kind] of Object.entries(SCHEDULABLE)) {
      const want = wanted[short as keyof typeof SCHEDULABLE];
      const have = existing.find((s) => s.kind === kind);
      if (want && !sameSchedule(have, want)) {
        await setSchedule(queues, cluster, kind, { ...specOf(want), source: 'config' });
        changes.push(
          `${cluster}: ${kind} ${want.every ? `every ${want.every} ms` : `cron ${want.cron}`}`,
        );
      } else if (!want && have?.source === 'config') {
        await removeSchedule(queues, cluster, kind);
        changes.push(`${cluster}: ${kind} removed`);
      }
    }
  }
  if (changes.length) logger.info({ changes }, 'schedules from the config applied');
  return changes;
}

function specOf(s: ScheduleConfig): ScheduleSpec {
  const target: ReportTarget = s.channel
    ? { kind: 'slack', channel: s.channel }
    : { kind: 'terminal' };
  return { every: s.every, cron: s.cron, target };
}

function sameSchedule(have: ScheduleInfo | undefined, want: ScheduleConfig): boolean {
  if (!have || have.source !== 'config') return false;
  const target = specOf(want).target;
  return (
    have.every === want.every &&
    have.cron === want.cron &&
    JSON.stringify(have.target) === JSON.stringify(target)
  );
}
