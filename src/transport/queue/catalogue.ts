/**
 * The job catalogue: every kind of job Quorum runs, each declared once. A contract
 * comment opens each entry (as BullMQ's Lua scripts open with KEYS/ARGV/Output):
 *
 *   name        the job name in the queue
 *   params      the payload schema (besides the envelope in job-data.ts)
 *   effect      what it does, and why running it twice is safe
 *   destructive needs an approval before it is enqueued
 *   maintenance holds the cluster's maintenance lease (one at a time per cluster)
 *   timeout · attempts · backoff
 *   fails when  besides throwing: when its report is `incomplete` (the action refused or
 *               stopped) or could not run; such a job fails at once, not retried. A read-only
 *               kind's crit findings are about the cluster: that job still completed.
 *
 * Handlers only translate: build the operation's input from config and params, call
 * the operation, return its Report. Operations know nothing of queues.
 */
import os from 'node:os';
import { z } from 'zod';
import type { Report } from '../../domain/report.js';
import { checkEtcd } from '../../operations/etcd/check.js';
import { compactCluster, disarmAlarms, listAlarms } from '../../operations/etcd/compact.js';
import { defragCluster } from '../../operations/etcd/defrag.js';
import { restorePlan } from '../../operations/etcd/restore-plan.js';
import { defineJob, etcdInput, type JobKind } from './job-kind.js';
import { KUBE_JOBS } from './kube-jobs.js';
import { SECURITY_JOBS } from './security-jobs.js';
import { snapshotAndKeep } from '../../app/snapshots/keep.js';
import { snapshotListReport } from '../../operations/etcd/snapshot-list-report.js';
import { UPGRADE_JOBS } from './upgrade-jobs.js';
import { DRILL_JOBS } from './drill-jobs.js';
import { BACKUP_JOBS } from './backup-jobs.js';
import { withDrillAges } from '../../app/snapshots/drill-ages.js';

const noParams = z.object({}).strict();
const MINUTE = 60_000;

/** name quorum.ping · params {} · effect: none; answers that a worker of this cluster is up and
 *  can report (the benchmark's job) · not destructive · timeout 10 s · 1 attempt */
const ping = defineJob({
  name: 'quorum.ping',
  title: 'ping',
  params: noParams,
  destructive: false,
  maintenance: false,
  timeoutMs: () => 10_000,
  attempts: 1,
  backoff: { type: 'fixed', delay: 1_000 },
  run: (ctx): Promise<Report> => {
    const now = new Date().toISOString();
    return Promise.resolve({
      kind: 'quorum.ping',
      cluster: ctx.cluster.name,
      startedAt: now,
      finishedAt: now,
      findings: [
        {
          id: 'quorum.ping',
          severity: 'ok',
          title: `Worker ${os.hostname()} (pid ${process.pid})`,
        },
      ],
      data: {},
    });
  },
});

/** name etcd.check · params { timeoutMs? } · effect: reads only · timeout 3 × the check timeout ·
 *  2 attempts, 5 s apart (an unhealthy cluster is a report, not a failure; no member answering
 *  at all is: the check could not run) */
const check = defineJob({
  name: 'etcd.check',
  title: 'etcd check',
  params: z
    .object({
      timeoutMs: z
        .number()
        .int()
        .positive()
        .max(10 * MINUTE)
        .optional(),
    })
    .strict(),
  destructive: false,
  maintenance: false,
  timeoutMs: (c) => 3 * c.check.timeout + 10_000,
  attempts: 2,
  backoff: { type: 'fixed', delay: 5_000 },
  run: async (ctx, p) => {
    const report = await checkEtcd(ctx.connect, {
      ...etcdInput(ctx),
      metricsUrls: ctx.cluster.etcd.metricsUrls,
      quotaBackendBytes: ctx.cluster.etcd.quotaBackendBytes,
      timeoutMs: p.timeoutMs ?? ctx.config.check.timeout,
      thresholds: ctx.config.check.thresholds,
      latencySamples: ctx.latencySamples,
    });
    // Beside the cluster's health: the newest snapshot and the newest one a drill restored.
    const list = () => ctx.snapshots().list(ctx.cluster.name);
    return withDrillAges(report, { cluster: ctx.cluster.name, list, drills: ctx.drills });
  },
});

/** name etcd.snapshot · params { compress? } · effect: a verified snapshot in the cluster's store
 *  (directory or bucket; it counts only once read back and its metadata written), then pruning by
 *  the retention policy; a killed run leaves only a temp file or an unfinished upload that no
 *  listing shows and the next run cleans up, so a retry yields one snapshot · maintenance ·
 *  timeout 30 min · 3 attempts, from 30 s doubling · fails when the snapshot failed verification
 *  or the store failed (nothing kept); an unreachable store or refused credentials throw */
const snapshot = defineJob({
  name: 'etcd.snapshot',
  title: 'etcd snapshot',
  params: z.object({ compress: z.boolean().optional() }).strict(),
  destructive: false,
  maintenance: true,
  timeoutMs: () => 30 * MINUTE,
  attempts: 3,
  backoff: { type: 'exponential', delay: 30_000 },
  run: async (ctx, p) => {
    const input = {
      ...etcdInput(ctx),
      store: ctx.snapshots(),
      compress: p.compress ?? ctx.config.snapshots.compress,
      requestedBy: ctx.requestedBy,
      onProgress: ctx.progress,
    };
    return (await snapshotAndKeep(ctx.connect, input, ctx.config.snapshots.retention)).report;
  },
});

/** name etcd.snapshot.list · params {} · effect: reads the snapshot store · timeout 1 min ·
 *  2 attempts */
const snapshotList = defineJob({
  name: 'etcd.snapshot.list',
  title: 'etcd snapshots',
  params: noParams,
  destructive: false,
  maintenance: false,
  timeoutMs: () => MINUTE,
  attempts: 2,
  backoff: { type: 'fixed', delay: 2_000 },
  run: async (ctx) => {
    return snapshotListReport(ctx.cluster.name, await ctx.snapshots().list(ctx.cluster.name));
  },
});

/** name etcd.restore-plan · params { snapshotId } · effect: reads the member list and the
 *  snapshot's metadata in its store; writes nothing · not destructive · timeout 1 min · 2 attempts */
const restorePlanJob = defineJob({
  name: 'etcd.restore-plan',
  title: 'restore plan',
  params: z.object({ snapshotId: z.string().regex(/^[a-z0-9-]+-\d{8}T\d{6}Z-r\d+$/) }).strict(),
  destructive: false,
  maintenance: false,
  timeoutMs: () => MINUTE,
  attempts: 2,
  backoff: { type: 'fixed', delay: 2_000 },
  run: async (ctx, p) =>
    restorePlan(ctx.connect, {
      ...etcdInput(ctx),
      entry: await ctx.snapshots().find(p.snapshotId),
      store: ctx.snapshots(),
      dataDir: ctx.cluster.etcd.dataDir,
    }),
});

/** name etcd.defrag · params {} · effect: defragments member by member, leader last; a retry
 *  redoes finished members quickly · destructive · maintenance · timeout per member (defrag +
 *  2 checks) · 2 attempts, 1 min apart · fails when it stopped at a member (refused when an
 *  unhealthy member stopped it before it touched any) */
const defrag = defineJob({
  name: 'etcd.defrag',
  title: 'etcd defrag',
  params: noParams,
  destructive: true,
  maintenance: true,
  timeoutMs: (c, cl) =>
    cl.etcd.endpoints.length * (c.maintenance.defragTimeout + 2 * c.check.timeout),
  attempts: 2,
  backoff: { type: 'fixed', delay: MINUTE },
  run: (ctx) =>
    defragCluster(ctx.connect, {
      ...etcdInput(ctx),
      defragTimeoutMs: ctx.config.maintenance.defragTimeout,
      onProgress: ctx.progress,
    }),
});

/** name etcd.compact · params {} · effect: compacts to the current revision; "already compacted"
 *  counts as done, so a retry is harmless · destructive · maintenance · timeout compact + 2 checks ·
 *  3 attempts, from 10 s doubling · fails when etcd refuses (thrown, so retried) */
const compact = defineJob({
  name: 'etcd.compact',
  title: 'etcd compaction',
  params: noParams,
  destructive: true,
  maintenance: true,
  timeoutMs: (c) => c.maintenance.compactTimeout + 2 * c.check.timeout,
  attempts: 3,
  backoff: { type: 'exponential', delay: 10_000 },
  run: (ctx) => compactCluster(ctx.connect, etcdInput(ctx), ctx.config.maintenance.compactTimeout),
});

/** name etcd.alarms · params {} · effect: reads only · timeout 2 checks · 2 attempts */
const alarms = defineJob({
  name: 'etcd.alarms',
  title: 'etcd alarms',
  params: noParams,
  destructive: false,
  maintenance: false,
  timeoutMs: (c) => 2 * c.check.timeout + 5_000,
  attempts: 2,
  backoff: { type: 'fixed', delay: 5_000 },
  run: (ctx) => listAlarms(ctx.connect, etcdInput(ctx)),
});

/** name etcd.alarms.disarm · params {} · effect: disarms the alarms raised now; disarming none
 *  is fine, so a retry is harmless · destructive · timeout 4 checks · 3 attempts, from 5 s doubling ·
 *  fails when etcd refuses (thrown, so retried) or an alarm is raised again at once */
const disarm = defineJob({
  name: 'etcd.alarms.disarm',
  title: 'etcd alarm disarm',
  params: noParams,
  destructive: true,
  maintenance: false,
  timeoutMs: (c) => 4 * c.check.timeout + 5_000,
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  run: (ctx) => disarmAlarms(ctx.connect, etcdInput(ctx)),
});

const KINDS = [
  ping,
  check,
  snapshot,
  snapshotList,
  restorePlanJob,
  defrag,
  compact,
  alarms,
  disarm,
  ...KUBE_JOBS,
  ...SECURITY_JOBS,
  ...UPGRADE_JOBS,
  ...DRILL_JOBS,
  ...BACKUP_JOBS,
];

/** Every job kind by name. */
export const CATALOGUE: ReadonlyMap<string, JobKind> = new Map(
  KINDS.map((k) => [k.name, k as JobKind]),
);

export function findJobKind(name: string): JobKind | undefined {
  return CATALOGUE.get(name);
}
