/**
 * What Velero covers, from its objects and the cluster's volumes (pure): each Schedule's
 * standing (its last backup, its last successful one, staleness against twice its
 * interval), which PersistentVolumeClaims no usable Schedule covers (by namespace, and by
 * label selector where the Schedule has one), the Delete-policy volumes behind them, and
 * the CSI volumes Velero would snapshot without a VolumeSnapshotClass for their driver.
 */
import type {
  PvInfo,
  PvcInfo,
  ScheduleStanding,
  VeleroBackup,
  VeleroBackupSpec,
  VeleroFacts,
  VeleroSchedule,
  VolumeSnapshotClassInfo,
  BackupStorageLocationInfo,
} from '../../domain/backup.js';
import { selectorSelects, selectorText } from '../kube/selector.js';
import { scheduleIntervalMs } from './interval.js';

export interface VeleroObjects {
  schedules: VeleroSchedule[];
  backups: VeleroBackup[];
  locations: BackupStorageLocationInfo[];
  pvcs: PvcInfo[];
  pvs: PvInfo[];
  /** Undefined: the snapshot.storage.k8s.io API is not served. */
  snapshotClasses: VolumeSnapshotClassInfo[] | undefined;
}

const when = (b: VeleroBackup) => b.completedAt ?? b.startedAt ?? b.createdAt ?? '';
const newestFirst = (a: VeleroBackup, b: VeleroBackup) => when(b).localeCompare(when(a));

/** Whether a backup with this spec takes namespace `ns` at all. */
export function takesNamespace(spec: VeleroBackupSpec, ns: string): boolean {
  const included =
    spec.includedNamespaces.length === 0 ||
    spec.includedNamespaces.includes('*') ||
    spec.includedNamespaces.includes(ns);
  return included && !spec.excludedNamespaces.includes(ns);
}

/** Whether a backup with this spec takes the claim (its namespace, and its labels if selected). */
export function takesClaim(spec: VeleroBackupSpec, pvc: PvcInfo): boolean {
  if (!takesNamespace(spec, pvc.namespace)) return false;
  return !spec.labelSelector || selectorSelects(spec.labelSelector, pvc.labels);
}

/** A Schedule that produces backups: not paused, not refused by Velero's validation. */
const usable = (s: VeleroSchedule) => !s.paused && s.phase !== 'FailedValidation';

/** How the schedule's backups keep volume data. */
function volumeMethod(spec: VeleroBackupSpec): ScheduleStanding['volumes'] {
  if (spec.defaultVolumesToFsBackup) return 'file-system';
  if (spec.snapshotVolumes === false) return 'none';
  return 'snapshots';
}

function standing(s: VeleroSchedule, backups: VeleroBackup[], now: Date): ScheduleStanding {
  const own = backups
    .filter((b) => b.schedule === s.name && b.namespace === s.namespace)
    .sort(newestFirst);
  const last = own[0];
  const success = own.find((b) => b.phase === 'Completed');
  const intervalMs = scheduleIntervalMs(s.schedule, now);
  const sinceSuccess = success ? now.getTime() - Date.parse(when(success)) : undefined;
  return {
    namespace: s.namespace,
    name: s.name,
    schedule: s.schedule,
    paused: s.paused,
    ...(s.phase ? { phase: s.phase } : {}),
    validationErrors: s.validationErrors,
    includedNamespaces: s.template.includedNamespaces,
    excludedNamespaces: s.template.excludedNamespaces,
    ...(s.template.labelSelector ? { selector: selectorText(s.template.labelSelector) } : {}),
    volumes: volumeMethod(s.template),
    ...(intervalMs ? { intervalMs } : {}),
    ...(last
      ? {
          lastBackup: {
            name: last.name,
            phase: last.phase ?? 'New',
            errors: last.errors,
            warnings: last.warnings,
            at: when(last) || undefined,
            ...(last.failureReason ? { failureReason: last.failureReason } : {}),
          },
        }
      : {}),
    ...(success ? { lastSuccess: { name: success.name, at: when(success) } } : {}),
    ...(sinceSuccess !== undefined ? { sinceSuccessMs: Math.max(0, sinceSuccess) } : {}),
  };
}

/** The CSI drivers of covered, snapshotted volumes that have no VolumeSnapshotClass. */
function driversWithoutClass(
  covered: { pvc: PvcInfo; spec: VeleroBackupSpec }[],
  pvs: Map<string, PvInfo>,
  classes: VolumeSnapshotClassInfo[] | undefined,
): { driver: string; volumes: string[] }[] {
  const have = new Set((classes ?? []).map((c) => c.driver));
  const missing = new Map<string, string[]>();
  for (const { pvc, spec } of covered) {
    const driver = pvc.volumeName ? pvs.get(pvc.volumeName)?.csiDriver : undefined;
    if (!driver || volumeMethod(spec) !== 'snapshots' || have.has(driver)) continue;
    missing.set(driver, [...(missing.get(driver) ?? []), `${pvc.namespace}/${pvc.name}`]);
  }
  return [...missing].map(([driver, volumes]) => ({ driver, volumes }));
}

export function veleroFacts(o: VeleroObjects, now: Date): VeleroFacts {
  const schedules = o.schedules.filter(usable);
  const pvs = new Map(o.pvs.map((pv) => [pv.name, pv]));
  const covered: { pvc: PvcInfo; spec: VeleroBackupSpec }[] = [];
  const uncovered = new Map<string, string[]>();
  for (const pvc of o.pvcs) {
    const by = schedules.find((s) => takesClaim(s.template, pvc));
    if (by) covered.push({ pvc, spec: by.template });
    else uncovered.set(pvc.namespace, [...(uncovered.get(pvc.namespace) ?? []), pvc.name]);
  }
  const uncoveredClaims = new Set(
    [...uncovered].flatMap(([ns, names]) => names.map((n) => `${ns}/${n}`)),
  );
  const deletePvs = o.pvs
    .filter((pv) => pv.reclaimPolicy === 'Delete')
    .filter((pv) => !pv.claim || uncoveredClaims.has(`${pv.claim.namespace}/${pv.claim.name}`))
    .map((pv) => ({
      name: pv.name,
      ...(pv.claim ? { claim: `${pv.claim.namespace}/${pv.claim.name}` } : {}),
    }));
  return {
    locations: o.locations,
    schedules: o.schedules.map((s) => standing(s, o.backups, now)),
    pvcs: o.pvcs.length,
    uncoveredNamespaces: [...uncovered]
      .map(([namespace, pvcs]) => ({ namespace, pvcs: pvcs.sort() }))
      .sort((a, b) => a.namespace.localeCompare(b.namespace)),
    unprotectedDeletePvs: deletePvs,
    snapshotClassesServed: o.snapshotClasses !== undefined,
    csiWithoutSnapshotClass: driversWithoutClass(covered, pvs, o.snapshotClasses),
    veleroNamespace:
      o.locations.find((l) => l.default)?.namespace ?? o.schedules[0]?.namespace ?? 'velero',
  };
}
