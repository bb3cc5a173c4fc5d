/**
 * `quorum backup status` end to end: real etcd with a real snapshot taken first (the
 * cluster-state half), and the real @kubernetes/client-node against the Kubernetes API
 * test server seeded with a cluster running Velero (test/support/kube-velero.ts's
 * veleroCluster: an uncovered namespace, a PartiallyFailed backup, a stale hourly
 * Schedule, a Delete-policy volume nothing backs up). Also: no Velero at all, and an API
 * server that does not answer.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { exitStatus } from '../../src/domain/report.js';
import { messageForReport } from '../../src/render/block-kit/index.js';
import type { BackupStatusReport } from '../../src/operations/backup/status.js';
import { quorum, quorumBin } from '../support/cli.js';
import { pasteWithKubectl } from '../support/paste.js';
import {
  freePort,
  startEtcd,
  startKubeApi,
  tmpDir,
  type EtcdCluster,
  type KubeApiServer,
  type KubeObject,
} from '../support/index.js';
import {
  veleroApiResourceList,
  veleroCluster,
  type VeleroClusterFacts,
} from '../support/kube-velero.js';

type JsonReport = BackupStatusReport & { status: string; exitCode: number };

const KINDS = [
  'Namespace',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'StorageClass',
  'VolumeSnapshotClass',
  'Schedule',
  'Backup',
  'BackupStorageLocation',
];
const SNAPSHOT_GROUP = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'snapshot.storage.k8s.io/v1',
  resources: [
    { name: 'volumesnapshotclasses', kind: 'VolumeSnapshotClass', namespaced: false, verbs: [] },
  ],
};

let api: KubeApiServer;
let etcd: EtcdCluster;
let env: Record<string, string>;
let snapshotDir: string;
let snapshotId: string;
let facts: VeleroClusterFacts;

/** The store holds `objects` only; Velero's and the snapshot API served when `installed`. */
function seed(objects: KubeObject[], installed = true): void {
  for (const kind of KINDS) api.store.clear(kind);
  api.store.add(...objects);
  api.store.groups.clear();
  if (installed) {
    api.store.groups.set('velero.io/v1', veleroApiResourceList());
    api.store.groups.set('snapshot.storage.k8s.io/v1', SNAPSHOT_GROUP);
  }
}

async function status(vars: Record<string, string> = env) {
  const r = await quorum(['backup', 'status', '--json', '--timeout', '3s'], vars);
  return { ...r, report: JSON.parse(r.stdout || '{}') as JsonReport };
}

const withId = (r: JsonReport, id: string) => r.findings.filter((f) => f.id === id);
const etcdHalf = (r: JsonReport) => r.findings.filter((f) => f.id.startsWith('backup.etcd'));
const veleroHalf = (r: JsonReport) => r.findings.filter((f) => f.id.startsWith('backup.velero'));

/** The first `velero …` command in a remedy, as its words. */
function veleroCommand(remedy: string | undefined): string[] {
  const m = /`(velero [^`]+)`/.exec(remedy ?? '');
  return (m?.[1] ?? '').split(/\s+/).map((w) => w.replace(/^"|"$/g, ''));
}
const flag = (words: string[], name: string) => words[words.indexOf(name) + 1];

beforeAll(async () => {
  [api, etcd] = await Promise.all([startKubeApi(), startEtcd()]);
  const dir = await tmpDir('backup-status');
  snapshotDir = path.join(dir, 'snapshots');
  const config = path.join(dir, 'quorum.yaml');
  await writeFile(
    config,
    [
      `snapshotDir: ${snapshotDir}`,
      'clusters:',
      `  - name: prod`,
      `    etcd: { endpoints: ${JSON.stringify(etcd.env.ETCDCTL_ENDPOINTS!.split(','))} }`,
      'schedules:',
      '  prod: { snapshot: { every: 6h } }',
      '',
    ].join('\n'),
  );
  env = { QUORUM_CONFIG: config, KUBECONFIG: api.kubeconfig };
  const snap = await quorum(['etcd', 'snapshot', '--json'], env);
  expect(snap.code, snap.stdout + snap.stderr).toBe(0);
  snapshotId = (JSON.parse(snap.stdout) as { data: { meta: { id: string } } }).data.meta.id;
  expect(snapshotId).toBeTruthy();
});

afterAll(async () => {
  await Promise.all([api?.close(), etcd?.close()]);
});

beforeEach(() => {
  const scene = veleroCluster(new Date());
  facts = scene.facts;
  seed(scene.objects);
  api.requests.length = 0;
});

describe('quorum backup status, a cluster with Velero', () => {
  it('names every uncovered namespace with a `velero schedule create` that covers it', async () => {
    const { report } = await status();
    const coverage = withId(report, 'backup.velero.coverage');
    expect(coverage.map((f) => f.severity)).toEqual(facts.uncoveredNamespaces.map(() => 'warn'));
    for (const ns of facts.uncoveredNamespaces) {
      const f = coverage.find((x) => x.title.includes(`namespace ${ns}`));
      expect(f, ns).toBeDefined();
      const words = veleroCommand(f?.remedy);
      expect(words.slice(0, 3)).toEqual(['velero', 'schedule', 'create']);
      expect(flag(words, '--include-namespaces')).toBe(ns);
      expect(flag(words, '-n')).toBe(facts.veleroNamespace);
      expect(flag(words, '--schedule')?.split(' ')).toHaveLength(1);
    }
    const named = (ns: string) => coverage.some((f) => f.title.includes(`namespace ${ns}`));
    for (const ns of [...facts.namespacesWithoutPvcs, 'shop', 'billing'])
      expect(named(ns), ns).toBe(false);
  });

  it('the PartiallyFailed last backup is a warning with its error count', async () => {
    const { report } = await status();
    const { schedule, backup, errors } = facts.partiallyFailed;
    const f = withId(report, 'backup.velero.schedule').filter((x) =>
      x.title.includes(`velero/${schedule}:`),
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('warn');
    expect(f[0]!.title).toContain(`${backup} partially failed with ${errors} errors`);
    expect(f[0]!.remedy).toContain(`velero backup logs ${backup} -n velero`);
  });

  it('the stale hourly Schedule is critical, naming its last successful backup', async () => {
    const { report } = await status();
    const f = withId(report, 'backup.velero.schedule').filter((x) =>
      x.title.includes(`velero/${facts.stale.schedule} `),
    );
    expect(f.map((x) => x.severity)).toEqual(['crit']);
    expect(f[0]!.title).toContain(`(${facts.stale.backup})`);
    expect(f[0]!.title).toContain('more than twice its interval (1h 0m)');
  });

  it('names the Delete-policy volume nothing backs up, and only that one', async () => {
    const { report } = await status();
    const [f, ...more] = withId(report, 'backup.velero.reclaim-delete');
    expect(more).toEqual([]);
    expect(f?.severity).toBe('warn');
    expect(f?.detail?.split('\n')).toEqual(
      facts.uncoveredDeletePvs.map((pv) => `${pv} (claim analytics/events)`),
    );
    expect(report.data.velero?.unprotectedDeletePvs.map((p) => p.name)).toEqual(
      facts.uncoveredDeletePvs,
    );
  });

  it('asks for no VolumeSnapshotClass for EFS while its Schedule uses file-system backup', async () => {
    // The scene's EFS volume has no VolumeSnapshotClass, but hourly-billing backs it up with
    // file-system backup: nothing to create. Switched to snapshots, the class is missing.
    const { report } = await status();
    expect(withId(report, 'backup.velero.snapshot-class')).toEqual([]);
    expect(report.data.velero?.csiWithoutSnapshotClass).toEqual([]);

    const scene = veleroCluster(new Date());
    const billing = scene.objects.find((o) => o.metadata.name === facts.stale.schedule)!;
    const template = (billing.spec as { template: Record<string, unknown> }).template;
    delete template.defaultVolumesToFsBackup;
    template.snapshotVolumes = true;
    seed(scene.objects);
    const after = await status();
    const [f, ...more] = withId(after.report, 'backup.velero.snapshot-class');
    expect(more).toEqual([]);
    expect(f?.severity).toBe('warn');
    expect(f?.title).toContain(
      `No VolumeSnapshotClass for CSI driver ${facts.driversWithoutSnapshotClass[0]}`,
    );
    expect(f?.title).toContain('billing/ledger');

    // The remedy's command, pasted into a shell (kubectl stood in for by a script that keeps
    // what it is given), makes the class; once it exists, the finding is gone.
    const { stdin: applied } = await pasteWithKubectl(
      /`(printf [^`]+)`/.exec(f?.remedy ?? '')![1]!,
    );
    const made = parseYaml(applied) as KubeObject & { driver: string };
    expect(made).toMatchObject({ kind: 'VolumeSnapshotClass', driver: 'efs.csi.aws.com' });
    expect(made.metadata.labels).toEqual({ 'velero.io/csi-volumesnapshot-class': 'true' });
    api.store.add(made);
    expect(withId((await status()).report, 'backup.velero.snapshot-class')).toEqual([]);
  });

  it('reports both halves: the etcd snapshot verified, in its store, on schedule', async () => {
    const { report } = await status();
    const [newest] = withId(report, 'backup.etcd.snapshot');
    expect(newest?.severity).toBe('ok');
    expect(newest?.title).toContain(snapshotId);
    expect(newest?.title).toContain('verified');
    expect(newest?.title).toContain(snapshotDir);
    expect(withId(report, 'backup.etcd.snapshot.schedule')).toMatchObject([
      { severity: 'ok', title: 'Snapshots on schedule (every 6h 0m)' },
    ]);
    expect(report.data.etcd).toMatchObject({
      location: snapshotDir,
      newest: { id: snapshotId, verified: true },
    });
    expect(veleroHalf(report).length).toBeGreaterThan(3);
    expect(report.data.veleroInstalled).toBe(true);
  });

  it('exits 2 (critical), as the operator sees it from the built binary', async () => {
    const { report, code } = await status();
    expect(report.status).toBe('crit');
    expect(report.exitCode).toBe(2);
    expect(code).toBe(2);

    const bin = await quorumBin(['backup', 'status', '--timeout', '3s'], env);
    expect(bin.stderr).toBe('');
    expect(bin.code).toBe(2);
    const lines = bin.stdout.split('\n');
    expect(lines[0]).toMatch(/^✖ backup status of prod: 1 critical, \d+ warnings$/);
    expect(lines[1]).toMatch(/^ {2}Cluster state \(etcd\): +✔ ok$/);
    expect(lines[2]).toMatch(/^ {2}Application data \(Velero\): +✖ 1 critical, \d+ warnings$/);
    const etcdAt = lines.indexOf('Cluster state (etcd): ✔ ok');
    const veleroAt = lines.findIndex((l) => l.startsWith('Application data (Velero): ✖'));
    expect(etcdAt).toBeGreaterThan(2);
    expect(veleroAt).toBeGreaterThan(etcdAt);
    // Each half shows its own findings.
    const stale = lines.findIndex((l) =>
      l.includes(`velero/${facts.stale.schedule} last completed`),
    );
    expect(stale).toBeGreaterThan(veleroAt);
    expect(lines.findIndex((l) => l.includes(`Newest snapshot ${snapshotId}`))).toBeLessThan(
      veleroAt,
    );
  });

  it('renders for Slack with its own renderer: both halves side by side', async () => {
    const { report } = await status();
    const m = messageForReport(report);
    const fields = m.blocks.flatMap((b) => (b.type === 'section' ? (b.fields ?? []) : []));
    expect(fields.map((f) => f.text.split('\n')[0])).toEqual([
      '*Cluster state (etcd)*',
      '*Application data (Velero)*',
    ]);
    expect(m.text).toMatch(/^backup status of prod: ✖ 1 critical, \d+ warnings$/);
  });

  it('lists every collection in pages of 500', async () => {
    await status();
    const lists = api.requests.filter(
      (r) =>
        r.method === 'GET' &&
        /\/(persistentvolumeclaims|persistentvolumes|schedules|backups|backupstoragelocations|volumesnapshotclasses)$/.test(
          r.path,
        ),
    );
    expect(new Set(lists.map((r) => r.path.split('/').at(-1)))).toEqual(
      new Set([
        'persistentvolumeclaims',
        'persistentvolumes',
        'schedules',
        'backups',
        'backupstoragelocations',
        'volumesnapshotclasses',
      ]),
    );
    for (const r of lists) expect(r.query.limit, r.path).toBe('500');
  });
});

describe('quorum backup status without Velero, or without an API server', () => {
  it('no Velero, claims present: their volumes have no backup, with the install remedy', async () => {
    seed(veleroCluster(new Date()).objects, false);
    const { report, code } = await status();
    const [f, ...more] = withId(report, 'backup.velero.installed');
    expect(more).toEqual([]);
    expect(f?.severity).toBe('warn');
    expect(f?.title).toContain('Velero is not installed');
    expect(f?.title).toContain(
      `the ${facts.pvcNamespaces.length} PersistentVolumeClaims have no backup`,
    );
    expect(veleroCommand(f?.remedy).slice(0, 2)).toEqual(['velero', 'install']);
    expect(report.data.veleroInstalled).toBe(false);
    // No Velero list was asked for: the group is not served.
    expect(api.requestsTo('GET', '/apis/velero.io/v1/')).toEqual([]);
    expect(code).toBe(exitStatus(report.findings));
    expect(code).toBe(1);
  });

  it('an API server that does not answer: the Velero half is a gap, never ok; etcd still reported', async () => {
    const server = `https://127.0.0.1:${await freePort()}`;
    const kubeconfig = await api.writeKubeconfig({ server });
    const { report, code } = await status({ ...env, KUBECONFIG: kubeconfig });
    const velero = veleroHalf(report);
    expect(velero.length).toBeGreaterThan(0);
    expect(velero.every((f) => f.id === 'backup.velero.gap' && f.severity === 'warn')).toBe(true);
    expect(velero[0]!.title).toContain('Could not read whether Velero is installed');
    expect(velero[0]!.detail).toContain(server);
    expect(report.data.veleroInstalled).toBeUndefined();
    expect(report.couldNotRun).toBeUndefined();
    expect(withId(report, 'backup.etcd.snapshot')).toMatchObject([{ severity: 'ok' }]);
    expect(etcdHalf(report).length).toBeGreaterThan(1);
    expect(code).toBe(1);
  });
});
