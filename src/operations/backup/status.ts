/**
 * `quorum backup status` / `/backup-status`: one report of both kinds of state — the
 * Kubernetes objects (etcd snapshots, cluster-state.ts) and the application data in
 * persistent volumes (Velero, velero-facts.ts and velero-rules.ts). Everything is read at
 * once, each read bounded; a read that fails is a gap, reported as a warning naming what is
 * unchecked, never an ok. Nothing is written.
 */
import type { BackupStatusData, PvcInfo, VeleroFacts } from '../../domain/backup.js';
import type { DrillRecords } from '../../domain/drill.js';
import { describeError } from '../../domain/errors.js';
import type { Finding, Report } from '../../domain/report.js';
import type { SnapshotStore } from '../etcd/store/snapshot-store.js';
import type { BackupClient } from './client.js';
import { clusterState, type ClusterStateInput } from './cluster-state.js';
import { veleroFacts } from './velero-facts.js';
import { noVeleroFindings, veleroFindings } from './velero-rules.js';

export interface BackupStatusInput {
  cluster: string;
  /** Bound of each call, ms. */
  timeoutMs: number;
  snapshots: SnapshotStore;
  drills: DrillRecords;
  schedule?: ClusterStateInput['schedule'];
  now?: Date;
}

export type BackupStatusReport = Report<BackupStatusData>;

type Gap = BackupStatusData['gaps'][number];
type Read<T> = { ok: true; value: T } | { ok: false; gap: Gap };

async function read<T>(what: string, work: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    return { ok: false, gap: { what, error: describeError(err) } };
  }
}

/** A read that failed, in its half of the report: `backup.etcd.gap` or `backup.velero.gap`. */
const gapFinding =
  (half: 'etcd' | 'velero') =>
  (g: Gap): Finding => ({
    id: `backup.${half}.gap`,
    severity: 'warn',
    title: `Could not read ${g.what}: unchecked`,
    detail: g.error,
  });

interface VeleroHalf {
  /** Undefined when the API server could not be asked. */
  installed?: boolean;
  facts?: VeleroFacts;
  findings: Finding[];
  gaps: Gap[];
}

async function veleroHalf(
  kube: BackupClient,
  deadline: () => number,
  pvcs: Read<PvcInfo[]>,
  now: Date,
): Promise<VeleroHalf> {
  const what = 'whether Velero is installed (GET /apis/velero.io/v1)';
  const served = await read(what, () => kube.veleroServed(deadline()));
  if (!served.ok) return { gaps: [served.gap], findings: [] };
  if (!served.value) {
    const count = pvcs.ok ? pvcs.value.length : undefined;
    return { installed: false, gaps: pvcs.ok ? [] : [pvcs.gap], findings: noVeleroFindings(count) };
  }
  const [schedules, backups, locations, pvs, classes] = await Promise.all([
    read('the Velero Schedules', () => kube.listSchedules(deadline())),
    read('the Velero Backups', () => kube.listBackups(deadline())),
    read('the BackupStorageLocations', () => kube.listBackupStorageLocations(deadline())),
    read('the PersistentVolumes', () => kube.listPvs(deadline())),
    read('the VolumeSnapshotClasses', () => kube.listVolumeSnapshotClasses(deadline())),
  ]);
  if (schedules.ok && backups.ok && locations.ok && pvs.ok && classes.ok && pvcs.ok) {
    const facts = veleroFacts(
      {
        schedules: schedules.value,
        backups: backups.value,
        locations: locations.value,
        pvs: pvs.value,
        snapshotClasses: classes.value,
        pvcs: pvcs.value,
      },
      now,
    );
    return { installed: true, facts, findings: veleroFindings(facts), gaps: [] };
  }
  const reads = [schedules, backups, locations, pvs, classes, pvcs];
  return { installed: true, findings: [], gaps: reads.flatMap((r) => (r.ok ? [] : [r.gap])) };
}

export async function backupStatus(
  kube: BackupClient,
  input: BackupStatusInput,
): Promise<BackupStatusReport> {
  const startedAt = new Date().toISOString();
  const now = input.now ?? new Date();
  const deadline = () => Date.now() + input.timeoutMs;
  const pvcs = read('the PersistentVolumeClaims', () => kube.listPvcs(deadline()));
  const [snapshots, drills, pvcsRead] = await Promise.all([
    read(`the snapshot store ${input.snapshots.location}`, () =>
      input.snapshots.list(input.cluster),
    ),
    read('the drill records', () => input.drills.history(input.cluster)),
    pvcs,
  ]);
  const velero = await veleroHalf(kube, deadline, pvcsRead, now);
  const etcd =
    snapshots.ok && drills.ok
      ? clusterState({
          cluster: input.cluster,
          now,
          location: input.snapshots.location,
          snapshots: snapshots.value,
          drills: drills.value,
          ...(input.schedule ? { schedule: input.schedule } : {}),
        })
      : undefined;
  const etcdGaps = [snapshots, drills].flatMap((r) => (r.ok ? [] : [r.gap]));
  const gaps = [...etcdGaps, ...velero.gaps];
  const findings = [
    ...(etcd?.findings ?? []),
    ...etcdGaps.map(gapFinding('etcd')),
    ...velero.findings,
    ...velero.gaps.map(gapFinding('velero')),
  ];
  const nothing = !etcd && velero.installed === undefined;
  return {
    kind: 'backup.status',
    cluster: input.cluster,
    startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    ...(nothing ? { couldNotRun: gaps.map((g) => `${g.what}: ${g.error}`).join('; ') } : {}),
    data: {
      ...(etcd ? { etcd: etcd.data } : {}),
      ...(velero.installed !== undefined ? { veleroInstalled: velero.installed } : {}),
      ...(velero.facts ? { velero: velero.facts } : {}),
      gaps,
    },
  };
}
