/**
 * The BackupClient (operations/backup/client.ts) over the API server: Velero's group
 * (velero.io/v1) and the volume objects, every list paged through kube-pages.ts, reads
 * as JSON (kube-raw.ts), the one write — creating a Backup — through client-node's
 * CustomObjectsApi. Bounded and classified like every Kubernetes call (kube-call.ts).
 */
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { BackupClient, BackupConnector } from '../operations/backup/client.js';
import { kubeCall } from './kube-call.js';
import {
  SCHEDULE_LABEL,
  fromBackupSpec,
  toBackup,
  toPv,
  toPvc,
  toSchedule,
  toStorageLocation,
  toVolumeSnapshotClass,
  type Json,
} from './kube-backup-map.js';
import { loadKubeConfig, type KubeTarget } from './kube-config.js';
import { collect, foldList } from './kube-pages.js';
import { rawGetText } from './kube-raw.js';

const VELERO = { group: 'velero.io', version: 'v1' };
const VELERO_PATH = '/apis/velero.io/v1';

export { SCHEDULE_LABEL };

export function backupClient(
  target: KubeTarget,
  env: NodeJS.ProcessEnv = process.env,
): BackupClient {
  const { kc, server } = loadKubeConfig(target, env);
  return new KubeBackupClient(kc, server);
}

export const backupConnector: BackupConnector = (cluster) => backupClient(cluster);

/** `work`, or undefined when the API answers 404 (absent object or API). */
async function unlessMissing<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return undefined;
    throw err;
  }
}

class KubeBackupClient implements BackupClient {
  private readonly custom: CustomObjectsApi;

  constructor(
    private readonly kc: KubeConfig,
    readonly server: string,
  ) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  private list<T>(what: string, path: string, deadline: number, map: (o: Json) => T) {
    return foldList({ kc: this.kc, server: this.server, what, path, deadline }, map, collect<T>());
  }

  async veleroServed(deadline: number): Promise<boolean> {
    const found = await kubeCall(
      { server: this.server, what: `GET ${VELERO_PATH}`, deadline },
      (_o, signal) => unlessMissing(rawGetText(this.kc, this.server, VELERO_PATH, signal)),
    );
    return found !== undefined;
  }

  listSchedules(deadline: number) {
    return this.list('list velero schedules', `${VELERO_PATH}/schedules`, deadline, toSchedule);
  }

  listBackups(deadline: number) {
    return this.list('list velero backups', `${VELERO_PATH}/backups`, deadline, toBackup);
  }

  listBackupStorageLocations(deadline: number) {
    const path = `${VELERO_PATH}/backupstoragelocations`;
    return this.list('list velero backupstoragelocations', path, deadline, toStorageLocation);
  }

  listPvcs(deadline: number) {
    const path = '/api/v1/persistentvolumeclaims';
    return this.list('list persistentvolumeclaims', path, deadline, toPvc);
  }

  listPvs(deadline: number) {
    return this.list('list persistentvolumes', '/api/v1/persistentvolumes', deadline, toPv);
  }

  async listVolumeSnapshotClasses(deadline: number) {
    const path = '/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses';
    try {
      return await this.list('list volumesnapshotclasses', path, deadline, toVolumeSnapshotClass);
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (cause instanceof ApiException && cause.code === 404) return undefined;
      throw err;
    }
  }

  async createBackup(
    namespace: string,
    name: string,
    spec: Parameters<BackupClient['createBackup']>[2],
    labels: Record<string, string>,
    deadline: number,
  ) {
    const body = {
      apiVersion: 'velero.io/v1',
      kind: 'Backup',
      metadata: { name, namespace, labels },
      spec: fromBackupSpec(spec),
    };
    const created: unknown = await kubeCall(
      {
        server: this.server,
        what: `create velero backup ${namespace}/${name}`,
        deadline,
        retry: false,
      },
      (o) =>
        this.custom.createNamespacedCustomObject(
          { ...VELERO, namespace, plural: 'backups', body },
          o,
        ),
    );
    return toBackup(created as Json);
  }

  async getBackup(namespace: string, name: string, deadline: number) {
    const found: unknown = await kubeCall(
      { server: this.server, what: `get velero backup ${namespace}/${name}`, deadline },
      (o) =>
        unlessMissing(
          this.custom.getNamespacedCustomObject(
            { ...VELERO, namespace, plural: 'backups', name },
            o,
          ),
        ),
    );
    return found === undefined ? undefined : toBackup(found as Json);
  }
}
