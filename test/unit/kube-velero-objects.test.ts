import { describe, expect, it } from 'vitest';
import {
  backupStorageLocation,
  pv,
  pvc,
  veleroApiResourceList,
  veleroBackup,
  veleroCluster,
  veleroSchedule,
  volumeSnapshotClass,
} from '../support/kube-velero.js';
import type { KubeObject } from '../support/kube-store.js';

type Json = Record<string, unknown>;
const at = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Json | undefined)?.[k], o);

describe('Velero object builders (the test server serves these shapes)', () => {
  it('nests the backup spec under a Schedule’s spec.template, as velero schedule create does', () => {
    const s = veleroSchedule({
      name: 'daily',
      schedule: '0 2 * * *',
      includedNamespaces: ['shop'],
      labelSelector: { matchLabels: { app: 'db' } },
      snapshotVolumes: true,
      lastBackup: '2026-12-01T02:00:00Z',
    });
    expect(s).toMatchObject({ apiVersion: 'velero.io/v1', kind: 'Schedule' });
    expect(s.metadata.namespace).toBe('velero');
    expect(s.spec).toMatchObject({
      schedule: '0 2 * * *',
      useOwnerReferencesInBackup: false,
      template: {
        includedNamespaces: ['shop'],
        labelSelector: { matchLabels: { app: 'db' } },
        snapshotVolumes: true,
        ttl: '720h0m0s',
      },
    });
    expect(at(s, 'spec.includedNamespaces')).toBeUndefined();
    expect(s.status).toEqual({ lastBackup: '2026-12-01T02:00:00Z', phase: 'Enabled' });
  });

  it('names and labels a scheduled Backup as Velero does, leaving zero counts out', () => {
    const b = veleroBackup({
      schedule: 'daily',
      startTimestamp: '2026-12-01T02:00:00Z',
      completionTimestamp: '2026-12-01T02:03:00Z',
    });
    expect(b.metadata.name).toBe('daily-20261201020000');
    expect(b.metadata.labels).toEqual({
      'velero.io/schedule-name': 'daily',
      'velero.io/storage-location': 'default',
    });
    expect(b.status).toMatchObject({
      phase: 'Completed',
      formatVersion: '1.1.0',
      version: 1,
      expiration: '2026-12-31T02:00:00Z',
      progress: { totalItems: 120, itemsBackedUp: 120 },
    });
    expect(at(b, 'status.errors')).toBeUndefined();
    expect(at(b, 'status.warnings')).toBeUndefined();
  });

  it('gives Failed a failureReason, PartiallyFailed its error count, New an empty status', () => {
    expect(veleroBackup({ name: 'f', phase: 'Failed' }).status).toMatchObject({
      phase: 'Failed',
      failureReason: expect.stringContaining('mark it as "Failed"'),
    });
    expect(
      at(veleroBackup({ name: 'p', phase: 'PartiallyFailed', errors: 3 }), 'status.errors'),
    ).toBe(3);
    const fresh = veleroBackup({ name: 'n', phase: 'New', includedNamespaces: ['shop'] });
    expect(fresh.status).toEqual({});
    expect(fresh.metadata.labels).toBeUndefined();
  });

  it('puts a BSL’s bucket under spec.objectStorage and explains an Unavailable phase', () => {
    const l = backupStorageLocation({
      bucket: 'velero-backups',
      prefix: 'prod',
      phase: 'Unavailable',
    });
    expect(l.spec).toMatchObject({
      provider: 'aws',
      objectStorage: { bucket: 'velero-backups', prefix: 'prod' },
    });
    expect(at(l, 'spec.default')).toBeUndefined();
    expect(l.status).toMatchObject({
      phase: 'Unavailable',
      message: expect.stringContaining('"default" is unavailable'),
    });
  });

  it('serves the velero.io/v1 discovery list with backups, schedules and bsl', () => {
    const list = veleroApiResourceList() as {
      kind: string;
      groupVersion: string;
      resources: Json[];
    };
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'velero.io/v1' });
    const names = list.resources.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['backups', 'schedules', 'restores', 'volumesnapshotlocations']),
    );
    expect(list.resources.find((r) => r.name === 'backupstoragelocations')).toMatchObject({
      singularName: 'backupstoragelocation',
      kind: 'BackupStorageLocation',
      namespaced: true,
      shortNames: ['bsl'],
      verbs: expect.arrayContaining(['list', 'create']),
    });
  });
});

describe('storage object builders', () => {
  it('binds a PVC and its CSI PV through spec.volumeName and spec.claimRef', () => {
    const claim = pvc({
      name: 'data-db-0',
      namespace: 'shop',
      storageClassName: 'gp3',
      volumeName: 'pvc-1',
    });
    const volume = pv({
      name: 'pvc-1',
      claim: { namespace: 'shop', name: 'data-db-0' },
      csiDriver: 'ebs.csi.aws.com',
    });
    expect(claim.status).toEqual({
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '10Gi' },
      phase: 'Bound',
    });
    expect(volume.spec).toMatchObject({
      claimRef: { kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'data-db-0' },
      csi: { driver: 'ebs.csi.aws.com' },
      persistentVolumeReclaimPolicy: 'Delete',
    });
  });

  it('keeps a VolumeSnapshotClass’s driver at the top level, with Velero’s label', () => {
    const c = volumeSnapshotClass({ name: 'ebs', driver: 'ebs.csi.aws.com', veleroLabel: true });
    expect(c).toMatchObject({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      driver: 'ebs.csi.aws.com',
      deletionPolicy: 'Delete',
    });
    expect(c.metadata.labels).toEqual({ 'velero.io/csi-volumesnapshot-class': 'true' });
  });
});

describe('the seeded Velero scene', () => {
  const now = new Date('2026-12-01T10:17:00Z');
  const { objects, facts } = veleroCluster(now);
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const named = (kind: string, name: string) =>
    of(kind).find((o) => o.metadata.name === name) as KubeObject;

  it('leaves exactly analytics without a covering Schedule, and tmp without a PVC', () => {
    const covered = of('Schedule').flatMap(
      (s) => at(s, 'spec.template.includedNamespaces') as string[],
    );
    const withPvcs = [
      ...new Set(of('PersistentVolumeClaim').map((c) => c.metadata.namespace)),
    ].sort();
    expect(withPvcs).toEqual(facts.pvcNamespaces);
    expect(withPvcs.filter((ns) => !covered.includes(ns!))).toEqual(facts.uncoveredNamespaces);
    expect(facts.uncoveredNamespaces).toEqual(['analytics']);
    expect(withPvcs).not.toContain('tmp');
    expect(of('Namespace').map((n) => n.metadata.name)).toContain('tmp');
  });

  it('makes daily’s newest Backup PartiallyFailed and hourly-billing’s last one ~5 h old', () => {
    expect(at(named('Backup', facts.partiallyFailed.backup), 'status')).toMatchObject({
      phase: 'PartiallyFailed',
      errors: 3,
    });
    const ageMs = now.getTime() - Date.parse(facts.stale.completedAt);
    expect(ageMs).toBeGreaterThan(2 * 3_600_000);
    expect(named('Backup', facts.stale.backup).metadata.labels).toMatchObject({
      'velero.io/schedule-name': 'hourly-billing',
    });
  });

  it('binds the uncovered Delete PV to the analytics claim; snapshot classes only for EBS', () => {
    const [uncovered] = facts.uncoveredDeletePvs;
    expect(at(named('PersistentVolume', uncovered!), 'spec.claimRef.namespace')).toBe('analytics');
    expect(of('VolumeSnapshotClass').map((c) => c.driver)).toEqual(facts.snapshotClassDrivers);
    expect(at(named('BackupStorageLocation', 'default'), 'status.phase')).toBe('Available');
  });

  it('holds at every hour of the day: daily never stale, hourly-billing always stale', () => {
    for (let h = 0; h < 24; h++) {
      const t = new Date(Date.UTC(2026, 11, 1, h, 59, 30));
      const scene = veleroCluster(t);
      const completed = (schedule: string) =>
        scene.objects
          .filter(
            (o) =>
              o.kind === 'Backup' && o.metadata.labels?.['velero.io/schedule-name'] === schedule,
          )
          .filter((o) => at(o, 'status.phase') === 'Completed')
          .map((o) => t.getTime() - Date.parse(at(o, 'status.completionTimestamp') as string));
      expect(Math.min(...completed('daily'))).toBeLessThan(48 * 3_600_000);
      expect(Math.min(...completed('daily'))).toBeGreaterThan(0);
      expect(Math.min(...completed('hourly-billing'))).toBeGreaterThan(2 * 3_600_000);
    }
  });
});
