/**
 * Velero's objects and the volume objects, as the API server sends them (JSON), → the
 * plain types of domain/backup.ts. Read defensively: a field Velero or the cluster left
 * out is absent, never a crash.
 */
import type {
  BackupStorageLocationInfo,
  PvInfo,
  PvcInfo,
  VeleroBackup,
  VeleroBackupSpec,
  VeleroSchedule,
  VolumeSnapshotClassInfo,
} from '../domain/backup.js';
import type { LabelSelector } from '../domain/kube.js';
import { compact } from './kube-map.js';

/** An object as JSON: we read known paths and check each value's type. */
export type Json = Record<string, unknown>;

const obj = (v: unknown): Json =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s) => typeof s === 'string') : [];
const labelsOf = (m: Json): Record<string, string> =>
  Object.fromEntries(
    Object.entries(obj(m.labels)).filter(([, v]) => typeof v === 'string'),
  ) as Record<string, string>;

/** A label selector as JSON: matchLabels / matchExpressions, passed on as they are. */
function selector(v: unknown): LabelSelector | undefined {
  const s = obj(v);
  if (!s.matchLabels && !s.matchExpressions) return undefined;
  return s;
}

export const SCHEDULE_LABEL = 'velero.io/schedule-name';

/** A Backup's spec, or a Schedule's `spec.template`. */
export function toBackupSpec(v: unknown): VeleroBackupSpec {
  const s = obj(v);
  return compact({
    includedNamespaces: strings(s.includedNamespaces),
    excludedNamespaces: strings(s.excludedNamespaces),
    labelSelector: selector(s.labelSelector),
    snapshotVolumes: bool(s.snapshotVolumes),
    defaultVolumesToFsBackup: bool(s.defaultVolumesToFsBackup) ?? bool(s.defaultVolumesToRestic),
    storageLocation: str(s.storageLocation),
    ttl: str(s.ttl),
  });
}

/** The same spec as the API wants it back (for creating a Backup). */
export function fromBackupSpec(spec: VeleroBackupSpec): Json {
  return compact({
    includedNamespaces: spec.includedNamespaces.length ? spec.includedNamespaces : undefined,
    excludedNamespaces: spec.excludedNamespaces.length ? spec.excludedNamespaces : undefined,
    labelSelector: spec.labelSelector,
    snapshotVolumes: spec.snapshotVolumes,
    defaultVolumesToFsBackup: spec.defaultVolumesToFsBackup,
    storageLocation: spec.storageLocation,
    ttl: spec.ttl,
  });
}

export function toSchedule(o: Json): VeleroSchedule {
  const m = obj(o.metadata);
  const spec = obj(o.spec);
  const status = obj(o.status);
  return compact({
    namespace: str(m.namespace) ?? '',
    name: str(m.name) ?? '',
    schedule: str(spec.schedule) ?? '',
    paused: bool(spec.paused) ?? false,
    template: toBackupSpec(spec.template),
    phase: str(status.phase),
    lastBackup: str(status.lastBackup),
    validationErrors: strings(status.validationErrors),
  });
}

const count = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function toBackup(o: Json): VeleroBackup {
  const m = obj(o.metadata);
  const status = obj(o.status);
  const labels = labelsOf(m);
  const progress = obj(status.progress);
  const invalid = strings(status.validationErrors);
  const optional = {
    itemsBackedUp: count(progress.itemsBackedUp),
    totalItems: count(progress.totalItems),
    validationErrors: invalid.length ? invalid : undefined,
    schedule: labels[SCHEDULE_LABEL],
    phase: str(status.phase),
    startedAt: str(status.startTimestamp),
    completedAt: str(status.completionTimestamp),
    expiresAt: str(status.expiration),
    failureReason: str(status.failureReason),
    createdAt: str(m.creationTimestamp),
  };
  return compact({
    namespace: str(m.namespace) ?? '',
    name: str(m.name) ?? '',
    spec: toBackupSpec(o.spec),
    errors: num(status.errors),
    warnings: num(status.warnings),
    ...optional,
  });
}

export function toStorageLocation(o: Json): BackupStorageLocationInfo {
  const m = obj(o.metadata);
  const spec = obj(o.spec);
  const store = obj(spec.objectStorage);
  const status = obj(o.status);
  const optional = {
    prefix: str(store.prefix),
    phase: str(status.phase),
    lastValidated: str(status.lastValidationTime),
    message: str(status.message),
  };
  return compact({
    namespace: str(m.namespace) ?? '',
    name: str(m.name) ?? '',
    provider: str(spec.provider) ?? '',
    bucket: str(store.bucket) ?? '',
    default: bool(spec.default) ?? false,
    ...optional,
  });
}

export function toPvc(o: Json): PvcInfo {
  const m = obj(o.metadata);
  const spec = obj(o.spec);
  return compact({
    namespace: str(m.namespace) ?? '',
    name: str(m.name) ?? '',
    phase: str(obj(o.status).phase) ?? 'Unknown',
    volumeName: str(spec.volumeName),
    storageClass: str(spec.storageClassName),
    labels: labelsOf(m),
  });
}

export function toPv(o: Json): PvInfo {
  const spec = obj(o.spec);
  const claim = obj(spec.claimRef);
  const csi = obj(spec.csi);
  const claimName = str(claim.name);
  return compact({
    name: str(obj(o.metadata).name) ?? '',
    reclaimPolicy: str(spec.persistentVolumeReclaimPolicy) ?? 'Retain',
    phase: str(obj(o.status).phase) ?? 'Unknown',
    claim: claimName ? { namespace: str(claim.namespace) ?? '', name: claimName } : undefined,
    storageClass: str(spec.storageClassName),
    csiDriver: str(csi.driver),
  });
}

const DEFAULT_SNAPSHOT_CLASS = 'snapshot.storage.kubernetes.io/is-default-class';

export function toVolumeSnapshotClass(o: Json): VolumeSnapshotClassInfo {
  const m = obj(o.metadata);
  return {
    name: str(m.name) ?? '',
    driver: str(o.driver) ?? '',
    deletionPolicy: str(o.deletionPolicy) ?? '',
    default: obj(m.annotations)[DEFAULT_SNAPSHOT_CLASS] === 'true',
  };
}
