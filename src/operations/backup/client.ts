/**
 * What the backup-coverage report and `/velero-backup` need from one cluster's API server,
 * besides the KubeClient: whether Velero is served, its objects, the volumes, and creating
 * and reading a Backup. Every list is paged and every call bounded by `deadline` (epoch ms)
 * like the KubeClient's; failures are the same KUBE_* QuorumErrors. The adapter is
 * src/clients/kube-backup.ts.
 */
import type {
  BackupStorageLocationInfo,
  PvInfo,
  PvcInfo,
  VeleroBackup,
  VeleroBackupSpec,
  VeleroSchedule,
  VolumeSnapshotClassInfo,
} from '../../domain/backup.js';

export interface BackupClient {
  readonly server: string;
  /** GET /apis/velero.io/v1 answers (the CRDs are installed); false on 404. */
  veleroServed(deadline: number): Promise<boolean>;
  /** Across all namespaces (Velero's is usually `velero`). */
  listSchedules(deadline: number): Promise<VeleroSchedule[]>;
  listBackups(deadline: number): Promise<VeleroBackup[]>;
  listBackupStorageLocations(deadline: number): Promise<BackupStorageLocationInfo[]>;
  listPvcs(deadline: number): Promise<PvcInfo[]>;
  listPvs(deadline: number): Promise<PvInfo[]>;
  /** Undefined when the snapshot.storage.k8s.io CRDs are not installed (404). */
  listVolumeSnapshotClasses(deadline: number): Promise<VolumeSnapshotClassInfo[] | undefined>;
  /** Creates a Backup named `name` in `namespace`; returns it as created. */
  createBackup(
    namespace: string,
    name: string,
    spec: VeleroBackupSpec,
    labels: Record<string, string>,
    deadline: number,
  ): Promise<VeleroBackup>;
  /** Undefined when no such Backup exists. */
  getBackup(namespace: string, name: string, deadline: number): Promise<VeleroBackup | undefined>;
}

export type BackupConnector = (cluster: { kubeconfig?: string; context?: string }) => BackupClient;
