/**
 * Restore drills, the pure parts: resource prefixes, the judging of revisions and counts,
 * the records kept, the age findings of the etcd check and the upgrade gate, the slash
 * commands and the config keys.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { DrillHistory, DrillRecord, DrillReport } from '../../src/domain/drill.js';
import { drillAgeFindings } from '../../src/operations/etcd/drill-age.js';
import { judgeDrill, proofOf, type JudgeInput } from '../../src/operations/etcd/drill-judge.js';
import { drillRecordOf, historyOf } from '../../src/operations/etcd/drill-records.js';
import { installHint } from '../../src/operations/etcd/drill-tools.js';
import { resourcePrefix } from '../../src/operations/etcd/snapshot-counts.js';
import { snapshotFindings } from '../../src/operations/upgrade/gates.js';
import type { UpgradeInventory } from '../../src/operations/upgrade/inventory.js';
import { parseKubeVersion } from '../../src/operations/upgrade/kube-version.js';
import { parseSlashCommand } from '../../src/transport/slack/commands/parse.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

describe('resourcePrefix', () => {
  it.each([
    ['/registry/pods/shop/web-0', '/registry/pods/'],
    ['/registry/secrets/kube-system/token', '/registry/secrets/'],
    ['/registry/cert-manager.io/certificates/shop/c', '/registry/cert-manager.io/certificates/'],
    [
      '/registry/apiregistration.k8s.io/apiservices/v1.apps',
      '/registry/apiregistration.k8s.io/apiservices/',
    ],
    ['/registry/ranges/serviceips', '/registry/ranges/'],
    ['/registry/health', undefined],
    ['compact_rev_key', undefined],
  ])('%s → %s', (key, prefix) => expect(resourcePrefix(key)).toBe(prefix));
});

const input = (over: Partial<JudgeInput> = {}): JudgeInput => ({
  cluster: 'prod',
  snapshotId: 'prod-20261201T100000Z-r40',
  metaRevision: 40,
  status: { revision: 42, totalKey: 60, totalSize: 20480, hash: 1 },
  scan: {
    restoredRevision: 42,
    counts: {
      revision: 40,
      recordedTotal: 12,
      restoredTotal: 12,
      valueBytes: 4_096,
      prefixes: [
        { prefix: '/registry/pods/', recorded: 5, restored: 5 },
        { prefix: '/registry/secrets/', recorded: 7, restored: 7 },
      ],
    },
  },
  ...over,
});

describe('judgeDrill', () => {
  it('equal counts at the recorded revision: ok, the restore and the counts proven', () => {
    const findings = judgeDrill(input());
    expect(findings.map((f) => [f.id, f.severity])).toEqual([['etcd.drill.counts', 'ok']]);
    expect(findings[0]!.title).toMatch(/12 keys in 2 resource prefixes, as counted at revision 40/);
    expect(proofOf(findings, true)).toBe('restore-and-counts');
  });

  it('a prefix that differs is crit, naming it with both counts', () => {
    const base = input().scan.counts!;
    const findings = judgeDrill(
      input({
        scan: {
          restoredRevision: 42,
          counts: { ...base, prefixes: [{ prefix: '/registry/pods/', recorded: 5, restored: 4 }] },
        },
      }),
    );
    expect(findings[0]).toMatchObject({ id: 'etcd.drill.counts', severity: 'crit' });
    expect(findings[0]!.detail).toBe('/registry/pods/: 5 recorded, 4 restored');
    expect(findings[0]!.remedy).toMatch(/quorum etcd snapshot --cluster prod/);
    expect(proofOf(findings, true)).toBe('restore');
  });

  it('a total that differs is crit even when every recorded prefix matches', () => {
    const base = input().scan.counts!;
    const findings = judgeDrill(
      input({ scan: { restoredRevision: 42, counts: { ...base, restoredTotal: 11 } } }),
    );
    expect(findings[0]!.severity).toBe('crit');
    expect(findings[0]!.detail).toBe('all keys: 12 recorded, 11 restored');
  });

  it('no counts recorded: a warning that only the restore is proven', () => {
    const findings = judgeDrill(input({ scan: { restoredRevision: 42 } }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ id: 'etcd.drill.counts', severity: 'warn' });
    expect(findings[0]!.title).toMatch(/no key counts were recorded .*only the restore is proven/);
    expect(proofOf(findings, true)).toBe('restore');
  });

  it('counts at a revision compacted away in the snapshot: a warning, nothing compared', () => {
    const findings = judgeDrill(input({ scan: { restoredRevision: 42, compacted: 40 } }));
    expect(findings[0]!.title).toMatch(/revision 40 are compacted away in it: only the restore/);
  });

  it('a restored etcd at another revision than the file is crit', () => {
    const findings = judgeDrill(input({ scan: { ...input().scan, restoredRevision: 41 } }));
    expect(findings.filter((f) => f.severity === 'crit').map((f) => f.id)).toContain(
      'etcd.drill.revision',
    );
  });

  it('a snapshot older than its recorded revision is crit', () => {
    const findings = judgeDrill(
      input({
        status: { revision: 30, totalKey: 1, totalSize: 1, hash: 1 },
        scan: { restoredRevision: 30, behind: 40 },
      }),
    );
    expect(findings.map((f) => [f.id, f.severity])).toEqual([['etcd.drill.revision', 'crit']]);
    expect(findings[0]!.title).toMatch(/holds revision 30, older than the revision 40/);
  });
});

const record = (over: Partial<DrillRecord> = {}): DrillRecord => ({
  cluster: 'prod',
  snapshotId: 'prod-20261201T080000Z-r40',
  snapshotFile: 'prod-20261201T080000Z-r40.db',
  snapshotCreatedAt: at(-4 * HOUR),
  drilledAt: at(-3 * HOUR),
  ok: true,
  proved: 'restore-and-counts',
  severity: 'ok',
  phases: { download: 10, restore: 50, start: 600, scan: 5 },
  totalMs: 665,
  size: 20480,
  summary: 'restored',
  ...over,
});

describe('drill records', () => {
  it('a report becomes a record: a damaged snapshot is not ok, a missing tool is crit', () => {
    const report: DrillReport = {
      kind: 'etcd.drill',
      cluster: 'prod',
      startedAt: at(0),
      finishedAt: at(1000),
      findings: [{ id: 'etcd.drill.download', severity: 'crit', title: 'Snapshot x is damaged' }],
      data: {
        snapshot: { id: 'x', path: '/s/x.db', size: 1, compressed: false, createdAt: at(-HOUR) },
        phases: { download: 3 },
        totalMs: 3,
        cleanedUp: { dirs: [], killed: [] },
        proved: 'nothing',
      },
    };
    expect(drillRecordOf(report)).toMatchObject({
      ok: false,
      severity: 'crit',
      snapshotFile: 'x.db',
      summary: 'Snapshot x is damaged',
      drilledAt: at(1000),
    });
    const couldNot = drillRecordOf({
      ...report,
      findings: [],
      couldNotRun: 'etcd not found on PATH',
    });
    expect(couldNot).toMatchObject({
      ok: false,
      severity: 'crit',
      summary: 'etcd not found on PATH',
    });
  });

  it('history: the newest drill, and the newest that succeeded', () => {
    const good = record();
    const bad = record({ ok: false, drilledAt: at(-HOUR), summary: 'damaged' });
    expect(historyOf([good, bad])).toEqual({ last: bad, lastSuccess: good });
    expect(historyOf([])).toEqual({});
  });
});

describe('drillAgeFindings (etcd check job, upgrade gate)', () => {
  const find = (drills: DrillHistory, newest = { id: 'prod-new', createdAt: at(-HOUR) }) =>
    drillAgeFindings({ id: 'x', cluster: 'prod', now: NOW, newest, drills });

  it('no drill yet: information saying restoring is unproven, and how to drill', () => {
    const [f, ...more] = find({});
    expect(more).toEqual([]);
    expect(f).toMatchObject({ severity: 'info' });
    expect(f!.title).toMatch(/No snapshot has been restored in a drill/);
    expect(f!.detail).toMatch(
      /The newest snapshot, prod-new, is 1h 0m old\. Drill one: `\/etcd-snapshot drill prod`/,
    );
  });

  it('the newest drilled snapshot beside the newest snapshot', () => {
    const [f, ...more] = find({ last: record(), lastSuccess: record() });
    expect(more).toEqual([]);
    expect(f!.title).toBe(
      'Newest drilled snapshot: prod-20261201T080000Z-r40, 4h 0m old (drilled 3h 0m ago, restored in 665ms)',
    );
    expect(f!.detail).toBe('The newest snapshot, prod-new, is 1h 0m old.');
  });

  it('a last drill that failed after the last success is a warning', () => {
    const failed = record({ ok: false, drilledAt: at(-HOUR), summary: 'counts differ' });
    const findings = find({ last: failed, lastSuccess: record() });
    expect(findings.map((f) => f.severity)).toEqual(['info', 'warn']);
    expect(findings[1]!.title).toMatch(/The last drill .* failed: counts differ/);
  });
});

describe('upgrade gate: the newest drilled snapshot beside the newest snapshot', () => {
  const inv = (over: Partial<UpgradeInventory>) =>
    ({
      newestVerifiedSnapshot: { id: 'prod-new', createdAt: at(-HOUR) },
      ...over,
    }) as UpgradeInventory;
  const ctx = {
    cluster: 'prod',
    target: parseKubeVersion('v1.32.0', 'version'),
    now: NOW,
    maxSnapshotAge: 24 * HOUR,
    upgradeWindow: HOUR,
    certWarn: HOUR,
  };

  it('adds the drill finding when drills were read', () => {
    const findings = snapshotFindings(inv({ drills: { lastSuccess: record() } }), ctx);
    expect(findings.map((f) => [f.id, f.severity])).toEqual([
      ['upgrade.gate.snapshot', 'ok'],
      ['upgrade.gate.snapshot-drill', 'info'],
    ]);
  });

  it('leaves the gate as it was when drills were not read', () => {
    expect(snapshotFindings(inv({}), ctx).map((f) => f.id)).toEqual(['upgrade.gate.snapshot']);
  });
});

describe('/etcd-snapshot drill and its schedule', () => {
  const ctx = { clusters: ['prod', 'staging'] };
  it.each([
    ['drill prod', { action: 'etcd.drill', cluster: 'prod' }],
    [
      'drill staging-20261201T100000Z-r9',
      { action: 'etcd.drill', cluster: 'staging', snapshotId: 'staging-20261201T100000Z-r9' },
    ],
    [
      'schedule prod drill every 24h',
      {
        action: 'etcd.snapshot.schedule',
        cluster: 'prod',
        schedule: { every: 86_400_000 },
        job: 'drill',
      },
    ],
    [
      'schedule drill prod cron "0 4 * * *"',
      {
        action: 'etcd.snapshot.schedule',
        cluster: 'prod',
        schedule: { cron: '0 4 * * *' },
        job: 'drill',
      },
    ],
    [
      'schedule prod every 6h',
      { action: 'etcd.snapshot.schedule', cluster: 'prod', schedule: { every: 21_600_000 } },
    ],
  ])('%s', (text, intent) => {
    expect(parseSlashCommand('/etcd-snapshot', text, ctx)).toEqual(intent);
  });

  it('names the cluster when several are configured, and suggests drill for a typo', () => {
    expect(() => parseSlashCommand('/etcd-snapshot', 'drill', ctx)).toThrow(/Name the cluster/);
    expect(() => parseSlashCommand('/etcd-snapshot', 'dril', ctx)).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('Did you mean drill?') }),
    );
  });
});

describe('drill configuration', () => {
  const config = (file: Record<string, unknown>, env: Record<string, string> = {}) =>
    loadConfig({ QUORUM_CONFIG: 'q.yaml', ...env }, () => JSON.stringify(file));
  const clusters = [{ name: 'prod', etcd: { endpoints: ['http://127.0.0.1:2379'] } }];

  it('QUORUM_ETCD_BIN_DIR and QUORUM_DRILL_DIR set drills.binDir and drills.workDir; 30 min by default', () => {
    const c = config(
      { clusters },
      { QUORUM_ETCD_BIN_DIR: '/opt/etcd', QUORUM_DRILL_DIR: '/var/d' },
    );
    expect(c.drills).toEqual({ binDir: '/opt/etcd', workDir: '/var/d', timeout: 1_800_000 });
  });

  it('schedules.<cluster>.drill beside the snapshot schedule', () => {
    const c = config({
      clusters,
      schedules: { prod: { snapshot: { every: '6h' }, drill: { every: '24h' } } },
    });
    expect(c.schedules.prod?.drill).toEqual({ every: 86_400_000 });
  });

  it('the install hint names the version, the packages and QUORUM_ETCD_BIN_DIR', () => {
    expect(installHint([3, 5], 'etcdutl')).toBe(
      "Install etcd 3.5 (Debian 13's etcd-server and etcd-client packages, or the release tarball from https://github.com/etcd-io/etcd/releases) or set QUORUM_ETCD_BIN_DIR (drills.binDir) to a directory holding etcd and etcdutl 3.5 or later.",
    );
    expect(installHint([3, 4], 'etcdctl')).toMatch(/^Install etcd 3\.4 \(Debian 12's/);
  });
});
