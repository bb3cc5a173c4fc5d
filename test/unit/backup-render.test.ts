/**
 * `backup status` rendered: the Block Kit message (golden) and the terminal text, from a
 * report made of the operation's own pure parts (cluster-state.ts, velero-facts.ts,
 * velero-rules.ts) over the seeded Velero scene, with a storage location whose message
 * carries a Slack control sequence.
 */
import { describe, expect, it } from 'vitest';
import {
  toBackup,
  toPv,
  toPvc,
  toSchedule,
  toStorageLocation,
  toVolumeSnapshotClass,
  type Json,
} from '../../src/clients/kube-backup-map.js';
import type { BackupStatusData } from '../../src/domain/backup.js';
import type { Report } from '../../src/domain/report.js';
import { clusterState } from '../../src/operations/backup/cluster-state.js';
import { veleroFacts } from '../../src/operations/backup/velero-facts.js';
import { noVeleroFindings, veleroFindings } from '../../src/operations/backup/velero-rules.js';
import { backupStatusMessage, messageForReport } from '../../src/render/block-kit/index.js';
import { renderBackupStatusText } from '../../src/render/terminal/backup-status.js';
import type { KubeObject } from '../support/kube-store.js';
import { backupStorageLocation, veleroCluster } from '../support/kube-velero.js';
import {
  asKnownBlocks,
  expectGolden,
  expectOnlyOwnControlSequences,
  expectWithinSlackLimits,
  texts,
} from './block-kit/golden.js';

const NOW = new Date('2026-12-01T12:20:00Z');
const STORE = '/var/backups/etcd';

function etcdHalf() {
  return clusterState({
    cluster: 'prod',
    now: NOW,
    location: STORE,
    snapshots: [
      {
        id: 'prod-20261201T120000Z-r4711',
        path: `${STORE}/prod-20261201T120000Z-r4711.db`,
        cluster: 'prod',
        createdAt: '2026-12-01T12:00:00.000Z',
        size: 4_200_000,
        verified: true,
      },
    ],
    schedule: { every: 6 * 3_600_000 },
    drills: {},
  });
}

function veleroHalf() {
  const { objects } = veleroCluster(NOW);
  const bsl = backupStorageLocation({
    name: 'offsite',
    bucket: 'dr-copy',
    phase: 'Unavailable',
    message: '<!channel> NoSuchBucket: `dr-copy` *gone*',
  });
  const all = [...objects, bsl];
  const of = (kind: string) => all.filter((o: KubeObject) => o.kind === kind) as unknown as Json[];
  return veleroFacts(
    {
      schedules: of('Schedule').map(toSchedule),
      backups: of('Backup').map(toBackup),
      locations: of('BackupStorageLocation').map(toStorageLocation),
      pvcs: of('PersistentVolumeClaim').map(toPvc),
      pvs: of('PersistentVolume').map(toPv),
      snapshotClasses: of('VolumeSnapshotClass').map(toVolumeSnapshotClass),
    },
    NOW,
  );
}

function report(velero = true): Report<BackupStatusData> {
  const etcd = etcdHalf();
  const facts = velero ? veleroHalf() : undefined;
  return {
    kind: 'backup.status',
    cluster: 'prod',
    startedAt: '2026-12-01T12:19:58.000Z',
    finishedAt: NOW.toISOString(),
    findings: [...etcd.findings, ...(facts ? veleroFindings(facts) : noVeleroFindings(3))],
    data: {
      etcd: etcd.data,
      veleroInstalled: velero,
      ...(facts ? { velero: facts } : {}),
      gaps: [],
    },
  };
}

describe('backup status for Slack', () => {
  it('golden: the halves side by side, then each half’s findings under its heading', () => {
    const withVelero = backupStatusMessage(report());
    const without = backupStatusMessage(report(false));
    for (const m of [withVelero, without]) {
      asKnownBlocks(m);
      expectWithinSlackLimits(m);
      expectOnlyOwnControlSequences(m);
    }
    expectGolden('backup-status', { withVelero, without });
    expect(withVelero.text).toBe('backup status of prod: ✖ 1 critical, 4 warnings');
    const fields = withVelero.blocks.flatMap((b) => (b.type === 'section' ? (b.fields ?? []) : []));
    expect(fields.map((f) => f.text.split('\n').slice(0, 2))).toEqual([
      ['*Cluster state (etcd)*', '*✔ ok*'],
      ['*Application data (Velero)*', '*✖ 1 critical, 4 warnings*'],
    ]);
  });

  it('escapes what the cluster wrote: a storage location’s message cannot mention @channel', () => {
    const m = backupStatusMessage(report());
    const all = texts(m).map((t) => t.obj.text);
    expect(all.join('\n')).not.toContain('<!channel>');
    expect(all.some((t) => t.includes('&lt;!channel&gt; NoSuchBucket'))).toBe(true);
  });

  it('is the renderer for a job’s result of kind backup.status', () => {
    const r = report();
    expect(messageForReport(r)).toEqual(backupStatusMessage(r));
  });
});

describe('backup status for the terminal', () => {
  it('the verdict, a line per half, then each half with its facts and findings', () => {
    const text = renderBackupStatusText(report());
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '✖ backup status of prod: 1 critical, 4 warnings',
      '  Cluster state (etcd):       ✔ ok',
      '  Application data (Velero):  ✖ 1 critical, 4 warnings',
      '',
    ]);
    const etcdAt = lines.indexOf('Cluster state (etcd): ✔ ok');
    const veleroAt = lines.indexOf('Application data (Velero): ✖ 1 critical, 4 warnings');
    expect(etcdAt).toBe(4);
    expect(lines.slice(etcdAt + 1, etcdAt + 5)).toEqual([
      `  Store: ${STORE}`,
      '  Newest: prod-20261201T120000Z-r4711, 20m 0s old, verified',
      '  Schedule: every 6h 0m',
      '  Last drill: never',
    ]);
    const at = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(at('Newest snapshot prod-20261201T120000Z-r4711')).toBeLessThan(veleroAt);
    expect(at('No Schedule backs up namespace analytics')).toBeGreaterThan(veleroAt);
    expect(at('BackupStorageLocation velero/offsite')).toBeGreaterThan(veleroAt);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
  });

  it('without Velero: the Velero half says so, with the install remedy', () => {
    const text = renderBackupStatusText(report(false));
    expect(text).toContain('Application data (Velero): ▲ 1 warning\n  Velero: not installed');
    expect(text).toContain('velero install --provider aws');
  });
});
