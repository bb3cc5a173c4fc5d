/**
 * The backup job kinds (see catalogue.ts for the contract comment format). Handlers only
 * translate: the cluster's config and the job → the operation's input.
 */
import { z } from 'zod';
import type { DrillRecords } from '../../domain/drill.js';
import { DNS1123_LABEL } from '../../domain/kube-name.js';
import { backupNameFor } from '../../operations/backup/backup-name.js';
import { backupStatus } from '../../operations/backup/status.js';
import { veleroBackup } from '../../operations/backup/velero-backup.js';
import { defineJob } from './job-kind.js';

const MINUTE = 60_000;
/** How long `velero.backup` watches its Backup by default; the job's timeout is a little more. */
const WATCH_MS = 30 * MINUTE;
const POLL_MS = 3_000;

/** A worker wired without drill records cannot say none were made: the report shows a gap. */
const noDrills: DrillRecords = {
  record: () => Promise.reject(new Error('this worker keeps no drill records')),
  history: () => Promise.reject(new Error('this worker keeps no drill records')),
};

/** name backup.status · params {} · effect: reads only — the cluster's snapshot store and drill
 *  records, Velero's Schedules, Backups and BackupStorageLocations, the PVCs, PVs and
 *  VolumeSnapshotClasses · not destructive · timeout 3 × check.timeout + 30 s · 2 attempts,
 *  5 s apart (a part that cannot be read is a warning in the report, not a failure) */
export const backupStatusJob = defineJob({
  name: 'backup.status',
  title: 'backup status',
  params: z.object({}).strict(),
  destructive: false,
  maintenance: false,
  timeoutMs: (c) => 3 * c.check.timeout + 30_000,
  attempts: 2,
  backoff: { type: 'fixed', delay: 5_000 },
  run: (ctx) => {
    const schedule = ctx.config.schedules[ctx.cluster.name]?.snapshot;
    return backupStatus(ctx.backup(), {
      cluster: ctx.cluster.name,
      timeoutMs: ctx.config.check.timeout,
      snapshots: ctx.snapshots(),
      drills: ctx.drills ?? noDrills,
      ...(schedule ? { schedule } : {}),
    });
  },
});

const veleroBackupParams = z
  .object({
    namespace: z
      .string()
      .regex(DNS1123_LABEL, 'must be a namespace name (a DNS-1123 label), e.g. shop'),
    /** Between two reads of the Backup (tests make it short). */
    pollMs: z.number().int().min(50).max(MINUTE).optional(),
    /** How long to watch it; at most 30 min. */
    waitMs: z.number().int().min(100).max(WATCH_MS).optional(),
  })
  .strict();

/** name velero.backup · params { namespace, pollMs?, waitMs? } · effect: creates one Velero Backup
 *  of the namespace in Velero's namespace — the covering Schedule's template narrowed to it, or
 *  Velero's defaults — named from the job id (quorum-<namespace>-<hash>), so a retry finds it
 *  instead of making another; then reads it every 3 s until it ends or 30 min pass, progress
 *  `InProgress: 120/300 items` · not destructive (Velero only reads the cluster), audited with the
 *  namespace and the Backup's name · timeout 32 min · 3 attempts, from 10 s doubling · fails when
 *  the Backup Failed, FailedValidation or was deleted; Velero not installed: could not run */
export const veleroBackupJob = defineJob({
  name: 'velero.backup',
  title: 'velero backup',
  params: veleroBackupParams,
  destructive: false,
  maintenance: false,
  timeoutMs: () => WATCH_MS + 2 * MINUTE,
  attempts: 3,
  backoff: { type: 'exponential', delay: 10_000 },
  auditDetail: (p, jobId) =>
    `namespace ${p.namespace}, backup ${backupNameFor(p.namespace, jobId)}`,
  run: (ctx, p) =>
    veleroBackup(
      {
        backup: ctx.backup(),
        namespaces: async (deadline) =>
          (await ctx.kube().listNamespaces(deadline)).map((n) => n.name),
      },
      {
        cluster: ctx.cluster.name,
        namespace: p.namespace,
        name: backupNameFor(p.namespace, ctx.jobId),
        labels: {
          'quorum.io/requested-by': labelValue(ctx.requestedBy),
          'quorum.io/job': labelValue(ctx.jobId),
        },
        timeoutMs: ctx.config.check.timeout,
        pollMs: p.pollMs ?? POLL_MS,
        waitMs: p.waitMs ?? WATCH_MS,
        onProgress: ctx.progress,
      },
    ),
});

/** A label value as Kubernetes allows it: 63 characters of [A-Za-z0-9._-], alphanumeric at both ends. */
function labelValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

export const BACKUP_JOBS = [backupStatusJob, veleroBackupJob];
