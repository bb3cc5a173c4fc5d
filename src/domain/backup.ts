/**
 * What the backup-coverage report observes of application data: Velero's Schedules,
 * Backups and BackupStorageLocations (velero.io/v1), and the volumes they should cover —
 * PersistentVolumeClaims, PersistentVolumes, StorageClasses, VolumeSnapshotClasses. Plain
 * data with ISO-8601 times, read through operations/backup/client.ts.
 */
import type { LabelSelector } from './kube.js';

/** The part of a Backup's spec a Schedule's template and a Backup share. */
export interface VeleroBackupSpec {
  /** Empty: every namespace (Velero's default, also `*`). */
  includedNamespaces: string[];
  excludedNamespaces: string[];
  labelSelector?: LabelSelector;
  /** Unset: Velero's server default (snapshots on). */
  snapshotVolumes?: boolean;
  /** Unset: the server's `--default-volumes-to-fs-backup`. */
  defaultVolumesToFsBackup?: boolean;
  storageLocation?: string;
  ttl?: string;
}

export interface VeleroSchedule {
  namespace: string;
  name: string;
  /** Cron or `@every 6h`, as written. */
  schedule: string;
  paused: boolean;
  template: VeleroBackupSpec;
  /** status.phase: New, Enabled, FailedValidation. */
  phase?: string;
  /** status.lastBackup: when the schedule last created a Backup. */
  lastBackup?: string;
  /** status.validationErrors. */
  validationErrors: string[];
}

export interface VeleroBackup {
  namespace: string;
  name: string;
  /** The `velero.io/schedule-name` label: the Schedule that made it. */
  schedule?: string;
  spec: VeleroBackupSpec;
  /** status.phase: New, InProgress, Completed, PartiallyFailed, Failed, FailedValidation, … */
  phase?: string;
  errors: number;
  warnings: number;
  startedAt?: string;
  completedAt?: string;
  expiresAt?: string;
  failureReason?: string;
  createdAt?: string;
  /** status.progress while it runs: items backed up so far, of the items it found. */
  itemsBackedUp?: number;
  totalItems?: number;
  /** status.validationErrors, for FailedValidation. */
  validationErrors?: string[];
}

export interface BackupStorageLocationInfo {
  namespace: string;
  name: string;
  provider: string;
  bucket: string;
  prefix?: string;
  default: boolean;
  /** status.phase: Available or Unavailable (unset before the first validation). */
  phase?: string;
  lastValidated?: string;
  message?: string;
}

export interface PvcInfo {
  namespace: string;
  name: string;
  phase: string;
  volumeName?: string;
  storageClass?: string;
  labels: Record<string, string>;
}

export interface PvInfo {
  name: string;
  reclaimPolicy: string;
  phase: string;
  claim?: { namespace: string; name: string };
  storageClass?: string;
  /** spec.csi.driver, for a CSI volume. */
  csiDriver?: string;
}

export interface VolumeSnapshotClassInfo {
  name: string;
  driver: string;
  deletionPolicy: string;
  default: boolean;
}

/** One Schedule as the report judges it. */
export interface ScheduleStanding {
  namespace: string;
  name: string;
  schedule: string;
  paused: boolean;
  phase?: string;
  validationErrors: string[];
  includedNamespaces: string[];
  excludedNamespaces: string[];
  /** The template's label selector as text (`app=db`), when it has one. */
  selector?: string;
  /** How its backups keep volume data: snapshots, file-system backup, or not at all. */
  volumes: 'snapshots' | 'file-system' | 'none';
  /** From its cron or `@every`; absent when it could not be read. */
  intervalMs?: number;
  lastBackup?: {
    name: string;
    phase: string;
    errors: number;
    warnings: number;
    at?: string;
    failureReason?: string;
  };
  lastSuccess?: { name: string; at: string };
  sinceSuccessMs?: number;
}

/** The application-data half of the report, when Velero is installed. */
export interface VeleroFacts {
  locations: BackupStorageLocationInfo[];
  schedules: ScheduleStanding[];
  /** How many PersistentVolumeClaims the cluster has. */
  pvcs: number;
  /** Namespaces with claims no usable Schedule covers, each with those claims. */
  uncoveredNamespaces: { namespace: string; pvcs: string[] }[];
  /** Volumes deleted with their claim (reclaimPolicy Delete) that no Schedule covers. */
  unprotectedDeletePvs: { name: string; claim?: string }[];
  /** Whether the snapshot.storage.k8s.io API is served at all. */
  snapshotClassesServed: boolean;
  /** CSI drivers of covered, snapshotted volumes without a VolumeSnapshotClass. */
  csiWithoutSnapshotClass: { driver: string; volumes: string[] }[];
  /** Where Velero runs (for the commands in remedies). */
  veleroNamespace: string;
}

/** The cluster-state half: etcd's snapshots as the store keeps them. */
export interface ClusterStateData {
  location: string;
  newest?: { id: string; createdAt: string; verified: boolean; problem?: string };
  newestVerified?: { id: string; createdAt: string };
  schedule?: string;
  intervalMs?: number;
  drilled?: { snapshotId: string; drilledAt: string };
}

/** `quorum backup status` / `/backup-status`: both halves side by side. */
export interface BackupStatusData {
  etcd?: ClusterStateData;
  /** Whether velero.io/v1 is served; undefined when the API server could not be asked. */
  veleroInstalled?: boolean;
  velero?: VeleroFacts;
  /** What could not be read, and why: each is also a finding, never an ok. */
  gaps: { what: string; error: string }[];
}

/** `/velero-backup NAMESPACE`: the Backup made of one namespace, where its spec came from, how it stood last. */
export interface VeleroBackupRunData {
  namespace: string;
  /** Where the Backup lives: Velero's namespace. */
  veleroNamespace: string;
  name: string;
  /** `velero/daily`: the Schedule whose template it copies; absent: Velero's defaults. */
  schedule?: string;
  spec: VeleroBackupSpec;
  /** Found, not created: an earlier attempt of the same job had made it. */
  reused: boolean;
  /** The Backup as last read; absent when it was gone. */
  backup?: VeleroBackup;
  /** How long it was watched, ms. */
  watchedMs: number;
}
