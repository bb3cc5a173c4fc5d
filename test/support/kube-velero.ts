/**
 * Velero and storage objects for the Kubernetes API test server, shaped as
 * `kubectl get -o json` returns them (Velero's CRDs in config/crd/v1/bases and
 * pkg/apis/velero/v1; the core/v1, storage.k8s.io/v1 and snapshot.storage.k8s.io/v1
 * references): Schedules, Backups, BackupStorageLocations, PVCs, PVs, StorageClasses,
 * VolumeSnapshotClasses, GET /apis/velero.io/v1, and a whole seeded scene.
 * Velero's integer status fields are `omitempty`: a zero count is absent, not 0.
 */
import { createHash } from 'node:crypto';
import { ago, namespace } from './kube-objects.js';
import type { KubeObject } from './kube-store.js';

const VELERO = 'velero.io/v1';
/** Seconds precision, as the API server writes times. */
const iso = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');
/** Go's `20060102150405` in UTC: the suffix of a scheduled Backup's name. */
const stamp = (d: Date) => iso(d).replace(/[-:TZ]/g, '');
/** A Go duration like `720h0m0s` in milliseconds (h, m and s only). */
const durationMs = (d: string) =>
  [...d.matchAll(/(\d+)([hms])/g)].reduce(
    (sum, [, n = '0', unit = 's']) => sum + Number(n) * { h: 3_600_000, m: 60_000, s: 1000 }[unit]!,
    0,
  );
const some = <T>(key: string, value: T | undefined) =>
  value === undefined ? {} : { [key]: value };

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

/** What a Schedule's spec.template and a Backup's spec share (Velero's BackupSpec). */
export interface BackupTemplate {
  /** Absent (or `['*']`) means every namespace. */
  includedNamespaces?: string[];
  excludedNamespaces?: string[];
  labelSelector?: LabelSelector;
  snapshotVolumes?: boolean;
  defaultVolumesToFsBackup?: boolean;
  storageLocation?: string;
  ttl?: string;
}

/** A BackupSpec; `processed` adds the defaults the backup controller writes back. */
function backupSpec(t: BackupTemplate, processed: boolean) {
  const fsBackup = processed ? (t.defaultVolumesToFsBackup ?? false) : t.defaultVolumesToFsBackup;
  return {
    csiSnapshotTimeout: processed ? '10m0s' : '0s',
    ...some('defaultVolumesToFsBackup', fsBackup),
    ...some('excludedNamespaces', t.excludedNamespaces),
    hooks: {},
    ...some('includedNamespaces', t.includedNamespaces),
    itemOperationTimeout: processed ? '4h0m0s' : '0s',
    ...some('labelSelector', t.labelSelector),
    metadata: {},
    ...(processed ? { snapshotMoveData: false } : {}),
    ...some('snapshotVolumes', t.snapshotVolumes),
    ...some('storageLocation', t.storageLocation),
    ttl: t.ttl ?? '720h0m0s',
  };
}

export interface VeleroScheduleSpec extends BackupTemplate {
  name: string;
  namespace?: string;
  /** Cron (robfig/cron, UTC), e.g. `0 2 * * *` or `@every 6h`. */
  schedule: string;
  paused?: boolean;
  useOwnerReferencesInBackup?: boolean;
  /** ISO time → status.lastBackup (when the schedule last created a Backup). */
  lastBackup?: string;
  lastSkipped?: string;
  phase?: 'New' | 'Enabled' | 'FailedValidation';
  validationErrors?: string[];
}

/** A velero.io/v1 Schedule as `velero schedule create` leaves it once the controller validated it. */
export function veleroSchedule(s: VeleroScheduleSpec): KubeObject {
  const phase = s.phase ?? 'Enabled';
  return {
    apiVersion: VELERO,
    kind: 'Schedule',
    metadata: { name: s.name, namespace: s.namespace ?? 'velero', generation: 1 },
    spec: {
      ...(s.paused ? { paused: true } : {}),
      schedule: s.schedule,
      template: backupSpec(s, false),
      useOwnerReferencesInBackup: s.useOwnerReferencesInBackup ?? false,
    },
    status: {
      ...some('lastBackup', s.lastBackup),
      ...some('lastSkipped', s.lastSkipped),
      phase,
      ...some('validationErrors', s.validationErrors),
    },
  };
}

export type BackupPhase =
  | 'New'
  | 'FailedValidation'
  | 'InProgress'
  | 'WaitingForPluginOperations'
  | 'WaitingForPluginOperationsPartiallyFailed'
  | 'Finalizing'
  | 'FinalizingPartiallyFailed'
  | 'Completed'
  | 'PartiallyFailed'
  | 'Failed'
  | 'Deleting';

export interface VeleroBackupSpec extends BackupTemplate {
  /** Default, with `schedule`: `<schedule>-<startTimestamp as 20060102150405>`. */
  name?: string;
  namespace?: string;
  /** The Schedule that made it: label velero.io/schedule-name. */
  schedule?: string;
  /** Default Completed. */
  phase?: BackupPhase;
  /** A count; PartiallyFailed without it gets 1. */
  errors?: number;
  warnings?: number;
  /** ISO times; start defaults to 10 min ago, completion to 3 min after start. */
  startTimestamp?: string;
  completionTimestamp?: string;
  /** Default start + ttl. */
  expiration?: string;
  volumeSnapshotsAttempted?: number;
  volumeSnapshotsCompleted?: number;
  progress?: { totalItems: number; itemsBackedUp: number };
  failureReason?: string;
  validationErrors?: string[];
}

const TERMINAL = new Set<BackupPhase>([
  'Completed',
  'PartiallyFailed',
  'Failed',
  'FailedValidation',
]);
/** What Velero writes when its server restarted under a running backup. */
const FAILURE =
  'get a backup with status "InProgress" during the server starting, mark it as "Failed"';
const NEVER_RAN = new Set<BackupPhase>(['New', 'FailedValidation']);

/** status as the backup controller writes it; a `New` Backup is untouched (empty status). */
function backupStatus(b: VeleroBackupSpec, start: Date, ttl: string) {
  const phase = b.phase ?? 'Completed';
  if (phase === 'New') return {};
  const ran = !NEVER_RAN.has(phase);
  const done = TERMINAL.has(phase);
  const total = b.progress?.totalItems ?? 120;
  const completion = b.completionTimestamp ?? iso(new Date(start.getTime() + 180_000));
  const failed = phase === 'Failed';
  return {
    ...(done ? { completionTimestamp: completion } : {}),
    ...some('errors', b.errors ?? (phase.endsWith('PartiallyFailed') ? 1 : undefined)),
    expiration: b.expiration ?? iso(new Date(start.getTime() + durationMs(ttl))),
    ...(failed ? { failureReason: b.failureReason ?? FAILURE } : {}),
    formatVersion: '1.1.0',
    phase,
    ...(ran
      ? {
          progress: b.progress ?? {
            itemsBackedUp: done && !failed ? total : 37,
            totalItems: total,
          },
        }
      : {}),
    ...(ran ? { startTimestamp: iso(start) } : {}),
    ...some('validationErrors', b.validationErrors),
    version: 1,
    ...some('volumeSnapshotsAttempted', b.volumeSnapshotsAttempted || undefined),
    ...some('volumeSnapshotsCompleted', b.volumeSnapshotsCompleted || undefined),
    ...some('warnings', b.warnings || undefined),
  };
}

/** A velero.io/v1 Backup; past `New`, with the labels, annotations and defaults the controller adds. */
export function veleroBackup(b: VeleroBackupSpec): KubeObject {
  const start = new Date(b.startTimestamp ?? ago(600_000));
  const name = b.name ?? (b.schedule ? `${b.schedule}-${stamp(start)}` : undefined);
  if (!name) throw new Error('veleroBackup needs a name or a schedule');
  const processed = (b.phase ?? 'Completed') !== 'New';
  const location = b.storageLocation ?? 'default';
  const labels = {
    ...some('velero.io/schedule-name', b.schedule),
    ...(processed ? { 'velero.io/storage-location': location } : {}),
  };
  return {
    apiVersion: VELERO,
    kind: 'Backup',
    metadata: {
      name,
      namespace: b.namespace ?? 'velero',
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(processed
        ? {
            annotations: {
              'velero.io/resource-timeout': '10m0s',
              'velero.io/source-cluster-k8s-gitversion': 'v1.31.4',
              'velero.io/source-cluster-k8s-major-version': '1',
              'velero.io/source-cluster-k8s-minor-version': '31',
            },
          }
        : {}),
      generation: processed ? 4 : 1,
    },
    spec: backupSpec(
      { ...b, storageLocation: processed ? location : b.storageLocation },
      processed,
    ),
    status: backupStatus(b, start, b.ttl ?? '720h0m0s'),
  };
}

export interface BslSpec {
  name?: string;
  namespace?: string;
  provider?: string;
  bucket: string;
  prefix?: string;
  /** spec.default; Go's omitempty leaves a non-default location without the field. */
  default?: boolean;
  /** Default for aws: `{ region: 'us-east-1' }`; MinIO adds s3Url and s3ForcePathStyle. */
  config?: Record<string, string>;
  accessMode?: 'ReadOnly' | 'ReadWrite';
  phase: 'Available' | 'Unavailable';
  lastValidationTime?: string;
  message?: string;
}

/** A velero.io/v1 BackupStorageLocation, validated `lastValidationTime` (default 30 s ago). */
export function backupStorageLocation(l: BslSpec): KubeObject {
  const name = l.name ?? 'default';
  const unavailable = `Backup storage location "${name}" is unavailable: rpc error: code = Unknown desc = NoSuchBucket: The specified bucket does not exist`;
  return {
    apiVersion: VELERO,
    kind: 'BackupStorageLocation',
    metadata: { name, namespace: l.namespace ?? 'velero', generation: 1 },
    spec: {
      ...some('accessMode', l.accessMode),
      config: l.config ?? { region: 'us-east-1' },
      ...(l.default ? { default: true } : {}),
      objectStorage: { bucket: l.bucket, ...some('prefix', l.prefix) },
      provider: l.provider ?? 'aws',
    },
    status: {
      lastSyncedTime: ago(45_000),
      lastValidationTime: l.lastValidationTime ?? ago(30_000),
      ...some('message', l.message ?? (l.phase === 'Unavailable' ? unavailable : undefined)),
      phase: l.phase,
    },
  };
}

export interface PvcSpec {
  name: string;
  namespace: string;
  storageClassName?: string;
  volumeName?: string;
  phase?: 'Pending' | 'Bound' | 'Lost';
  size?: string;
  labels?: Record<string, string>;
  /** The CSI driver or provisioner that made it (the storage-provisioner annotations). */
  provisioner?: string;
  uid?: string;
}

function pvcAnnotations(bound: boolean, provisioner?: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (bound) {
    out['pv.kubernetes.io/bind-completed'] = 'yes';
    out['pv.kubernetes.io/bound-by-controller'] = 'yes';
  }
  if (provisioner) {
    out['volume.beta.kubernetes.io/storage-provisioner'] = provisioner;
    out['volume.kubernetes.io/storage-provisioner'] = provisioner;
  }
  return out;
}

/** A core/v1 PersistentVolumeClaim, ReadWriteOnce; a Bound one carries the binder's annotations. */
export function pvc(c: PvcSpec): KubeObject {
  const bound = (c.phase ?? 'Bound') === 'Bound';
  const size = c.size ?? '10Gi';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: c.name,
      namespace: c.namespace,
      ...some('uid', c.uid),
      labels: c.labels ?? {},
      annotations: pvcAnnotations(bound, c.provisioner),
      finalizers: ['kubernetes.io/pvc-protection'],
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...some('storageClassName', c.storageClassName),
      volumeMode: 'Filesystem',
      ...some('volumeName', c.volumeName),
    },
    status: bound
      ? { accessModes: ['ReadWriteOnce'], capacity: { storage: size }, phase: 'Bound' }
      : { phase: c.phase },
  };
}

export interface PvSpec {
  name: string;
  claim?: { namespace: string; name: string; uid?: string };
  reclaimPolicy?: 'Delete' | 'Retain' | 'Recycle';
  storageClassName?: string;
  /** spec.csi.driver (with a volumeHandle); without it, a local-path hostPath volume. */
  csiDriver?: string;
  volumeHandle?: string;
  /** spec.csi.fsType, default ext4; '' leaves it out (file-system drivers such as EFS). */
  fsType?: string;
  phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';
  size?: string;
  node?: string;
}

function pvSource(v: PvSpec) {
  if (v.csiDriver) {
    return {
      csi: {
        driver: v.csiDriver,
        ...some('fsType', (v.fsType ?? 'ext4') || undefined),
        volumeAttributes: {
          'storage.kubernetes.io/csiProvisionerIdentity': `1733822211437-8081-${v.csiDriver}`,
        },
        volumeHandle: v.volumeHandle ?? 'vol-0a1b2c3d4e5f60718',
      },
    };
  }
  const claim = v.claim ? `_${v.claim.namespace}_${v.claim.name}` : '';
  return {
    hostPath: { path: `/opt/local-path-provisioner/${v.name}${claim}`, type: 'DirectoryOrCreate' },
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'kubernetes.io/hostname', operator: 'In', values: [v.node ?? 'worker-1'] },
            ],
          },
        ],
      },
    },
  };
}

/** A core/v1 PersistentVolume, dynamically provisioned (CSI, or rancher.io/local-path). */
export function pv(v: PvSpec): KubeObject {
  const provisioner = v.csiDriver ?? 'rancher.io/local-path';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: v.name,
      annotations: { 'pv.kubernetes.io/provisioned-by': provisioner },
      finalizers: v.csiDriver
        ? ['external-provisioner.volume.kubernetes.io/finalizer', 'kubernetes.io/pv-protection']
        : ['kubernetes.io/pv-protection'],
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: v.size ?? '10Gi' },
      ...(v.claim
        ? { claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...v.claim } }
        : {}),
      ...pvSource(v),
      persistentVolumeReclaimPolicy: v.reclaimPolicy ?? 'Delete',
      ...some('storageClassName', v.storageClassName),
      volumeMode: 'Filesystem',
    },
    status: { lastPhaseTransitionTime: ago(86_400_000), phase: v.phase ?? 'Bound' },
  };
}

export interface StorageClassSpec {
  name: string;
  provisioner: string;
  reclaimPolicy?: 'Delete' | 'Retain';
  default?: boolean;
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  parameters?: Record<string, string>;
}

/** A storage.k8s.io/v1 StorageClass; `default` sets storageclass.kubernetes.io/is-default-class. */
export function storageClass(s: StorageClassSpec): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: s.name,
      ...(s.default
        ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }
        : {}),
    },
    allowVolumeExpansion: true,
    ...some('parameters', s.parameters),
    provisioner: s.provisioner,
    reclaimPolicy: s.reclaimPolicy ?? 'Delete',
    volumeBindingMode: s.volumeBindingMode ?? 'WaitForFirstConsumer',
  };
}

export interface VolumeSnapshotClassSpec {
  name: string;
  driver: string;
  deletionPolicy?: 'Delete' | 'Retain';
  default?: boolean;
  /** Label velero.io/csi-volumesnapshot-class: "true" (Velero's pick for the driver). */
  veleroLabel?: boolean;
}

/** A snapshot.storage.k8s.io/v1 VolumeSnapshotClass (cluster-scoped; driver and deletionPolicy at top level). */
export function volumeSnapshotClass(c: VolumeSnapshotClassSpec): KubeObject {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotClass',
    metadata: {
      name: c.name,
      ...(c.veleroLabel ? { labels: { 'velero.io/csi-volumesnapshot-class': 'true' } } : {}),
      ...(c.default
        ? { annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } }
        : {}),
    },
    deletionPolicy: c.deletionPolicy ?? 'Delete',
    driver: c.driver,
  };
}

const CRUD = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];
/** The API server's storageVersionHash: base64 of the first 8 bytes of sha256("group/version/Kind"). */
const storageVersionHash = (kind: string) =>
  createHash('sha256').update(`${VELERO}/${kind}`).digest().subarray(0, 8).toString('base64');

/** The velero.io/v1 resources Velero's CRDs define (plural, Kind, shortNames), in discovery's name order. */
const VELERO_RESOURCES: [string, string, string[]?][] = [
  ['backuprepositories', 'BackupRepository'],
  ['backups', 'Backup'],
  ['backupstoragelocations', 'BackupStorageLocation', ['bsl']],
  ['deletebackuprequests', 'DeleteBackupRequest'],
  ['downloadrequests', 'DownloadRequest'],
  ['podvolumebackups', 'PodVolumeBackup'],
  ['podvolumerestores', 'PodVolumeRestore'],
  ['restores', 'Restore'],
  ['schedules', 'Schedule'],
  ['serverstatusrequests', 'ServerStatusRequest', ['ssr']],
  ['volumesnapshotlocations', 'VolumeSnapshotLocation', ['vsl']],
];

/** GET /apis/velero.io/v1 on a cluster with Velero installed. */
export function veleroApiResourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: VELERO,
    resources: VELERO_RESOURCES.map(([name, kind, shortNames]) => ({
      name,
      singularName: kind.toLowerCase(),
      namespaced: true,
      kind,
      verbs: CRUD,
      ...some('shortNames', shortNames),
      storageVersionHash: storageVersionHash(kind),
    })),
  };
}

/** GET /apis/velero.io (Velero ≥ 1.12 also serves v2alpha1: DataUploads, DataDownloads). */
export function veleroApiGroup(): Record<string, unknown> {
  const v1 = { groupVersion: VELERO, version: 'v1' };
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: 'velero.io',
    versions: [v1, { groupVersion: 'velero.io/v2alpha1', version: 'v2alpha1' }],
    preferredVersion: v1,
  };
}

export interface VeleroClusterFacts {
  veleroNamespace: string;
  /** The default BackupStorageLocation, Available. */
  bsl: string;
  /** Namespaces holding PVCs, and those no Schedule covers (each to be named). */
  pvcNamespaces: string[];
  uncoveredNamespaces: string[];
  /** Namespaces without PVCs: never reported as uncovered. */
  namespacesWithoutPvcs: string[];
  /** `daily` (covers shop): its newest Backup PartiallyFailed; the one before Completed; not stale. */
  partiallyFailed: { schedule: string; cron: string; backup: string; errors: number };
  /** `hourly-billing`: last successful Backup ~5 h old against a 1 h interval → stale. */
  stale: { schedule: string; cron: string; backup: string; completedAt: string };
  /** PVs with reclaimPolicy Delete that no Schedule's namespaces reach. */
  uncoveredDeletePvs: string[];
  /** CSI drivers in use with and without a VolumeSnapshotClass. */
  snapshotClassDrivers: string[];
  driversWithoutSnapshotClass: string[];
}

const EBS = 'ebs.csi.aws.com';
const EFS = 'efs.csi.aws.com';
const UID = {
  shop: 'b7e3c1a2-5d4f-4e8a-9c61-2f0a7d3e9b14',
  billing: 'c2a9f4e1-8b3d-4c57-a1e6-5d9b0f2c7a38',
  analytics: 'd4f8b2c6-1e7a-4b93-8d25-6a3c9e0f1b57',
};

interface VolumeSpec {
  ns: keyof typeof UID;
  claim: string;
  sc: string;
  driver?: string;
  reclaimPolicy: 'Delete' | 'Retain';
  labels?: Record<string, string>;
}

/** A claim and the PV provisioned for it (named pvc-<claim uid>, as external-provisioner does). */
function volume(v: VolumeSpec): KubeObject[] {
  const uid = UID[v.ns];
  const name = `pvc-${uid}`;
  const claim = { namespace: v.ns, name: v.claim, uid };
  const efs = v.driver === EFS;
  return [
    pvc({
      ...claim,
      storageClassName: v.sc,
      volumeName: name,
      labels: v.labels,
      provisioner: v.driver ?? 'rancher.io/local-path',
    }),
    pv({
      name,
      claim,
      reclaimPolicy: v.reclaimPolicy,
      storageClassName: v.sc,
      csiDriver: v.driver,
      ...(efs ? { fsType: '', volumeHandle: 'fs-0c1d2e3f4a5b6c7d8::fsap-0a1b2c3d4e5f6a7b8' } : {}),
    }),
  ];
}

/** The scene's namespaces, BSL, StorageClasses, VolumeSnapshotClass, claims and volumes. */
function storageScene(): KubeObject[] {
  return [
    ...['velero', 'shop', 'billing', 'analytics', 'tmp'].map((n) => namespace(n)),
    backupStorageLocation({
      bucket: 'velero-backups',
      prefix: 'prod',
      default: true,
      phase: 'Available',
      config: { region: 'eu-west-1' },
    }),
    storageClass({ name: 'gp3', provisioner: EBS, default: true, parameters: { type: 'gp3' } }),
    storageClass({ name: 'efs-sc', provisioner: EFS, reclaimPolicy: 'Retain' }),
    storageClass({ name: 'local-path', provisioner: 'rancher.io/local-path' }),
    volumeSnapshotClass({ name: 'ebs-csi-snapclass', driver: EBS, veleroLabel: true }),
    ...volume({
      ns: 'shop',
      claim: 'data-db-0',
      sc: 'gp3',
      driver: EBS,
      reclaimPolicy: 'Delete',
      labels: { app: 'db' },
    }),
    ...volume({
      ns: 'billing',
      claim: 'ledger',
      sc: 'efs-sc',
      driver: EFS,
      reclaimPolicy: 'Retain',
    }),
    ...volume({ ns: 'analytics', claim: 'events', sc: 'local-path', reclaimPolicy: 'Delete' }),
  ];
}

/**
 * The scene for the backup-coverage tests, relative to `now` (any wall-clock time works):
 * - velero: BSL `default` (aws, bucket velero-backups, Available, default).
 * - shop: PVC data-db-0 on a CSI PV (ebs.csi.aws.com, gp3, Delete), covered by Schedule `daily`
 *   (snapshotVolumes; its cron fires 3 h before the current hour): newest Backup PartiallyFailed
 *   with 3 errors, the one a day before Completed, so not stale.
 * - billing: PVC ledger on EFS (efs.csi.aws.com, Retain, no VolumeSnapshotClass), covered by
 *   `hourly-billing` ('0 * * * *', file-system backup) whose last Backup completed ~5 h ago: the
 *   Velero server has been down since, so nothing newer → stale.
 * - analytics: PVC events on a local-path hostPath PV (Delete) that no Schedule covers.
 * - tmp: no PVC. One VolumeSnapshotClass, for ebs.csi.aws.com only (Velero-labelled).
 */
export function veleroCluster(now: Date): { objects: KubeObject[]; facts: VeleroClusterFacts } {
  const hour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
  const hoursBefore = (h: number) => new Date(hour - h * 3_600_000);
  const run = (start: Date, minutes: number) => ({
    startTimestamp: iso(start),
    completionTimestamp: iso(new Date(start.getTime() + minutes * 60_000)),
  });
  const dailyCron = `0 ${(new Date(hour).getUTCHours() + 21) % 24} * * *`;
  const shop = { includedNamespaces: ['shop'], snapshotVolumes: true, storageLocation: 'default' };
  const billing = {
    includedNamespaces: ['billing'],
    defaultVolumesToFsBackup: true,
    ttl: '168h0m0s',
  };
  const snapshots = { volumeSnapshotsAttempted: 1, volumeSnapshotsCompleted: 1 };
  const partial = veleroBackup({
    ...shop,
    ...snapshots,
    ...run(hoursBefore(3), 4),
    schedule: 'daily',
    phase: 'PartiallyFailed',
    errors: 3,
  });
  const lastBilling = veleroBackup({
    ...billing,
    ...run(hoursBefore(5), 2),
    schedule: 'hourly-billing',
  });
  const objects = [
    ...storageScene(),
    veleroSchedule({
      ...shop,
      name: 'daily',
      schedule: dailyCron,
      lastBackup: iso(hoursBefore(3)),
    }),
    veleroSchedule({
      ...billing,
      name: 'hourly-billing',
      schedule: '0 * * * *',
      lastBackup: iso(hoursBefore(5)),
    }),
    partial,
    veleroBackup({ ...shop, ...snapshots, ...run(hoursBefore(27), 3), schedule: 'daily' }),
    lastBilling,
  ];
  return {
    objects,
    facts: {
      veleroNamespace: 'velero',
      bsl: 'default',
      pvcNamespaces: ['analytics', 'billing', 'shop'],
      uncoveredNamespaces: ['analytics'],
      namespacesWithoutPvcs: ['tmp', 'velero'],
      partiallyFailed: {
        schedule: 'daily',
        cron: dailyCron,
        backup: partial.metadata.name,
        errors: 3,
      },
      stale: {
        schedule: 'hourly-billing',
        cron: '0 * * * *',
        backup: lastBilling.metadata.name,
        completedAt: (lastBilling.status as { completionTimestamp: string }).completionTimestamp,
      },
      uncoveredDeletePvs: [`pvc-${UID.analytics}`],
      snapshotClassDrivers: [EBS],
      driversWithoutSnapshotClass: [EFS],
    },
  };
}
