/**
 * What a Velero Schedule covers and when it is stale (operations/backup/velero-facts.ts,
 * velero-rules.ts), and how often a schedule runs (interval.ts). The objects are built as
 * the API server sends them (test/support/kube-velero.ts) and read through the adapter's
 * mapping (clients/kube-backup-map.ts), so the rules see what they would see live.
 */
import { describe, expect, it } from 'vitest';
import {
  toBackup,
  toPv,
  toPvc,
  toSchedule,
  toStorageLocation,
  type Json,
} from '../../src/clients/kube-backup-map.js';
import { scheduleIntervalMs } from '../../src/operations/backup/interval.js';
import { veleroFacts } from '../../src/operations/backup/velero-facts.js';
import { veleroFindings } from '../../src/operations/backup/velero-rules.js';
import type { KubeObject } from '../support/kube-store.js';
import {
  backupStorageLocation,
  pv,
  pvc,
  veleroBackup,
  veleroSchedule,
  type VeleroScheduleSpec,
} from '../support/kube-velero.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;

const CLAIMS = [
  pvc({ name: 'data-db-0', namespace: 'shop', labels: { app: 'db' }, volumeName: 'pv-shop-db' }),
  pvc({ name: 'cache', namespace: 'shop', labels: { app: 'cache' }, volumeName: 'pv-shop-cache' }),
  pvc({ name: 'ledger', namespace: 'billing', volumeName: 'pv-billing' }),
];
const VOLUMES = [
  pv({ name: 'pv-shop-db', claim: { namespace: 'shop', name: 'data-db-0' } }),
  pv({ name: 'pv-shop-cache', claim: { namespace: 'shop', name: 'cache' } }),
  pv({ name: 'pv-billing', claim: { namespace: 'billing', name: 'ledger' } }),
];

const of = (objects: KubeObject[], kind: string) =>
  objects.filter((o) => o.kind === kind) as unknown as Json[];

function factsOf(objects: KubeObject[]) {
  const all = [
    backupStorageLocation({ bucket: 'b', default: true, phase: 'Available' }),
    ...CLAIMS,
    ...VOLUMES,
    ...objects,
  ];
  return veleroFacts(
    {
      schedules: of(all, 'Schedule').map(toSchedule),
      backups: of(all, 'Backup').map(toBackup),
      locations: of(all, 'BackupStorageLocation').map(toStorageLocation),
      pvcs: of(all, 'PersistentVolumeClaim').map(toPvc),
      pvs: of(all, 'PersistentVolume').map(toPv),
      snapshotClasses: [],
    },
    NOW,
  );
}

/** The claims (`namespace/name`) no usable Schedule covers, when only `spec` is scheduled. */
function uncoveredWith(spec: Partial<VeleroScheduleSpec>): string[] {
  const schedule = veleroSchedule({ name: 's', schedule: '@every 24h', ...spec });
  return factsOf([schedule]).uncoveredNamespaces.flatMap((u) =>
    u.pvcs.map((p) => `${u.namespace}/${p}`),
  );
}

describe('which claims a Schedule covers', () => {
  it('included namespaces: only those', () => {
    expect(uncoveredWith({ includedNamespaces: ['shop'] })).toEqual(['billing/ledger']);
  });

  it('no included namespaces, or `*`: every namespace', () => {
    expect(uncoveredWith({})).toEqual([]);
    expect(uncoveredWith({ includedNamespaces: ['*'] })).toEqual([]);
  });

  it('excluded namespaces are left out, even from `*`', () => {
    expect(uncoveredWith({ excludedNamespaces: ['billing'] })).toEqual(['billing/ledger']);
    expect(uncoveredWith({ includedNamespaces: ['*'], excludedNamespaces: ['shop'] })).toEqual([
      'shop/cache',
      'shop/data-db-0',
    ]);
  });

  it('a label selector covers only the claims it selects', () => {
    expect(
      uncoveredWith({
        includedNamespaces: ['shop'],
        labelSelector: { matchLabels: { app: 'db' } },
      }),
    ).toEqual(['billing/ledger', 'shop/cache']);
    expect(
      uncoveredWith({
        labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['cache'] }] },
      }),
    ).toEqual(['billing/ledger', 'shop/data-db-0']);
  });

  it('a paused Schedule, or one that failed validation, covers nothing', () => {
    const all = ['billing/ledger', 'shop/cache', 'shop/data-db-0'];
    expect(uncoveredWith({ paused: true })).toEqual(all);
    expect(
      uncoveredWith({ phase: 'FailedValidation', validationErrors: ['invalid schedule'] }),
    ).toEqual(all);
  });

  it('names each uncovered namespace with a `velero schedule create` that covers it', () => {
    const findings = veleroFindings(
      factsOf([
        veleroSchedule({ name: 's', schedule: '@every 24h', includedNamespaces: ['shop'] }),
      ]),
    );
    const coverage = findings.filter((f) => f.id === 'backup.velero.coverage');
    expect(coverage).toHaveLength(1);
    expect(coverage[0]).toMatchObject({ severity: 'warn' });
    expect(coverage[0]!.title).toContain('billing');
    expect(coverage[0]!.remedy).toMatch(
      /velero schedule create \S+ .*--include-namespaces billing(\s|$)/,
    );
  });
});

describe('a Schedule’s staleness: more than twice its interval since its last success', () => {
  const scheduleFinding = (completedAt: string) => {
    const findings = veleroFindings(
      factsOf([
        veleroSchedule({ name: 'hourly', schedule: '@every 1h' }),
        veleroBackup({
          schedule: 'hourly',
          startTimestamp: new Date(Date.parse(completedAt) - 60_000).toISOString(),
          completionTimestamp: completedAt,
        }),
      ]),
    );
    return findings.filter((f) => f.id === 'backup.velero.schedule');
  };

  it('exactly twice the interval is still on time', () => {
    const [f] = scheduleFinding(new Date(NOW.getTime() - 2 * HOUR).toISOString());
    expect(f?.severity).toBe('ok');
  });

  it('a second more is critical, naming the backup and the interval', () => {
    const [f, ...rest] = scheduleFinding(new Date(NOW.getTime() - 2 * HOUR - 1_000).toISOString());
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('crit');
    expect(f?.title).toMatch(/Schedule velero\/hourly last completed a backup .* ago/);
    expect(f?.title).toContain('more than twice its interval (1h 0m)');
    expect(f?.remedy).toContain('velero backup create --from-schedule hourly -n velero');
  });

  it('a Schedule that never completed a backup is critical too', () => {
    const findings = veleroFindings(
      factsOf([veleroSchedule({ name: 'hourly', schedule: '@every 1h' })]),
    );
    const f = findings.find((x) => x.id === 'backup.velero.schedule');
    expect(f).toMatchObject({ severity: 'crit' });
    expect(f?.title).toContain('has never completed a backup');
  });
});

describe('how often a schedule runs', () => {
  it('reads @every as a Go duration', () => {
    expect(scheduleIntervalMs('@every 1h30m', NOW)).toBe(90 * 60_000);
    expect(scheduleIntervalMs('@every 6h', NOW)).toBe(6 * HOUR);
    expect(scheduleIntervalMs('@every 45s', NOW)).toBe(45_000);
  });

  it('reads a cron pattern as the gap between its last two runs', () => {
    expect(scheduleIntervalMs('0 * * * *', NOW)).toBe(HOUR);
    expect(scheduleIntervalMs('0 3 * * *', NOW)).toBe(24 * HOUR);
    // Six fields, seconds first: the config's snapshot schedules may be written so.
    expect(scheduleIntervalMs('0 0 */6 * * *', NOW)).toBe(6 * HOUR);
    expect(scheduleIntervalMs('CRON_TZ=Europe/Berlin 0 */6 * * *', NOW)).toBe(6 * HOUR);
  });

  it('reads the predefined schedules', () => {
    expect(scheduleIntervalMs('@daily', NOW)).toBe(24 * HOUR);
    expect(scheduleIntervalMs('@hourly', NOW)).toBe(HOUR);
  });

  it('anything else is unreadable (undefined), never a guess', () => {
    for (const text of ['', '* * *', 'hourly', '@every', '@every 1d', '@every 0s', '61 * * * *'])
      expect(scheduleIntervalMs(text, NOW), text).toBeUndefined();
  });
});
