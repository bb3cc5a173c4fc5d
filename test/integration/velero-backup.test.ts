/**
 * One Velero Backup of one namespace, through the real client-node adapter against the
 * Kubernetes API test server serving Velero's group: how each way a Backup can end is
 * told (Failed, FailedValidation, deleted, still running when the watch ends), a retry
 * of the same job that finds its Backup instead of making a second, a namespace no
 * Schedule covers (Velero's defaults and the schedule to create), and no Velero at all.
 * The test plays Velero's controller: between two reads it writes the Backup's status.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backupClient } from '../../src/clients/kube-backup.js';
import { reportExitStatus } from '../../src/domain/report.js';
import { backupNameFor } from '../../src/operations/backup/backup-name.js';
import { veleroBackup, type VeleroBackupInput } from '../../src/operations/backup/velero-backup.js';
import { startKubeApi, type KubeApiServer, type KubeObject } from '../support/index.js';
import { veleroApiResourceList, veleroCluster } from '../support/kube-velero.js';

const KINDS = ['Namespace', 'PersistentVolumeClaim', 'Schedule', 'Backup', 'BackupStorageLocation'];
let api: KubeApiServer;

beforeAll(async () => {
  api = await startKubeApi();
});
afterAll(async () => {
  await api?.close();
});
beforeEach(() => {
  for (const kind of KINDS) api.store.clear(kind);
  api.store.add(...veleroCluster(new Date()).objects);
  api.store.groups.clear();
  api.store.groups.set('velero.io/v1', veleroApiResourceList());
  api.requests.length = 0;
});

const POSTS = '/apis/velero.io/v1/namespaces/velero/backups';

/** Velero's controller, as the test plays it: the n-th pause writes `statuses[n]` (or deletes). */
function velero(name: string, statuses: (Record<string, unknown> | 'delete')[]) {
  let turn = 0;
  return (ms: number) => {
    const next = statuses[Math.min(turn++, statuses.length - 1)]!;
    if (next === 'delete') api.store.delete('Backup', name, 'velero');
    else api.store.update('Backup', name, 'velero', (o) => (o.status = next));
    return new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 5)));
  };
}

async function backUp(namespace: string, jobId: string, more: Partial<VeleroBackupInput> = {}) {
  const client = backupClient({ kubeconfig: api.kubeconfig }, {});
  const name = backupNameFor(namespace, jobId);
  const steps: string[] = [];
  const report = await veleroBackup(
    {
      backup: client,
      namespaces: () => Promise.resolve(api.store.list('Namespace').map((n) => n.metadata.name)),
    },
    {
      cluster: 'prod',
      namespace,
      name,
      labels: { 'quorum.io/job': 'job-1' },
      timeoutMs: 3_000,
      pollMs: 50,
      waitMs: 2_000,
      onProgress: (p) => steps.push(p.step),
      ...more,
    },
  );
  return { report, name, steps, main: report.findings.find((f) => f.id === 'velero.backup') };
}

const inProgress = (done: number, total: number) => ({
  phase: 'InProgress',
  progress: { itemsBackedUp: done, totalItems: total },
});

describe('a Velero Backup of one namespace, to its end', () => {
  it('Failed: critical with Velero’s reason and the commands that say why; the report exits 2', async () => {
    const name = backupNameFor('analytics', 'velero.backup@t-failed');
    const { report, main, steps } = await backUp('analytics', 'velero.backup@t-failed', {
      sleep: velero(name, [
        inProgress(3, 40),
        { phase: 'Failed', failureReason: 'error getting backup store: bucket not found' },
      ]),
    });
    expect(main?.severity).toBe('crit');
    expect(main?.title).toBe(
      `Backup velero/${name} of namespace analytics Failed: error getting backup store: bucket not found`,
    );
    expect(main?.remedy).toContain(`velero backup logs ${name} -n velero`);
    expect(report.incomplete?.how).toBe('stopped');
    expect(reportExitStatus(report)).toBe(2);
    expect(steps).toContain('InProgress: 3/40 items');
  });

  it('FailedValidation: critical, with each validation error', async () => {
    const name = backupNameFor('shop', 'velero.backup@t-invalid');
    const { main } = await backUp('shop', 'velero.backup@t-invalid', {
      sleep: velero(name, [
        {
          phase: 'FailedValidation',
          validationErrors: ['an existing backup storage location was not specified'],
        },
      ]),
    });
    expect(main?.severity).toBe('crit');
    expect(main?.detail).toBe('an existing backup storage location was not specified');
  });

  it('deleted while watched: critical, never reported as done', async () => {
    const name = backupNameFor('shop', 'velero.backup@t-deleted');
    const { main } = await backUp('shop', 'velero.backup@t-deleted', {
      sleep: velero(name, [inProgress(1, 10), 'delete']),
    });
    expect(main?.severity).toBe('crit');
    expect(main?.title).toContain('was deleted while Quorum watched it');
  });

  it('still running when the watch ends: a warning that says so, with the describe command, never ok', async () => {
    const name = backupNameFor('shop', 'velero.backup@t-slow');
    const { report, main } = await backUp('shop', 'velero.backup@t-slow', {
      waitMs: 300,
      sleep: velero(name, [inProgress(7, 300)]),
    });
    expect(main?.severity).toBe('warn');
    expect(main?.title).toMatch(
      new RegExp(
        `^Backup velero/${name} of namespace shop still InProgress after .+ \\(7/300 items\\)$`,
      ),
    );
    expect(main?.remedy).toContain(`velero backup describe ${name} --details -n velero`);
    expect(report.findings.every((f) => f.severity !== 'ok')).toBe(true);
  });

  it('a retry of the same job finds the Backup its first attempt made: one Backup, told as reused', async () => {
    const name = backupNameFor('shop', 'velero.backup@t-retry');
    const done = {
      phase: 'Completed',
      progress: { itemsBackedUp: 12, totalItems: 12 },
      expiration: '2027-01-01T02:00:00Z',
    };
    const first = await backUp('shop', 'velero.backup@t-retry', { sleep: velero(name, [done]) });
    expect(first.main?.severity).toBe('ok');
    const again = await backUp('shop', 'velero.backup@t-retry', { sleep: velero(name, [done]) });
    expect(again.main?.severity).toBe('ok');
    expect(again.report.findings.map((f) => f.id)).toContain('velero.backup.reused');
    expect(api.store.list('Backup', 'velero').filter((b) => b.metadata.name === name)).toHaveLength(
      1,
    );
    const posts = api.requestsTo('POST', POSTS);
    expect(posts).toHaveLength(2);
  });

  it('a namespace no Schedule covers: Velero’s defaults, and the Schedule that would cover it', async () => {
    const name = backupNameFor('analytics', 'velero.backup@t-defaults');
    const { report } = await backUp('analytics', 'velero.backup@t-defaults', {
      sleep: velero(name, [{ phase: 'Completed' }]),
    });
    const made = api.store.get('Backup', name, 'velero') as KubeObject & {
      spec: Record<string, unknown>;
    };
    expect(made.spec.includedNamespaces).toEqual(['analytics']);
    expect(made.spec.snapshotVolumes).toBeUndefined();
    const source = report.findings.find((f) => f.id === 'velero.backup.source');
    expect(source?.title).toBe(
      "No Schedule covers namespace analytics: a Backup with Velero's defaults",
    );
    expect(source?.remedy).toContain(
      'velero schedule create analytics-daily --schedule "0 3 * * *" --include-namespaces analytics --ttl 720h0m0s -n velero',
    );
  });

  it('a namespace that does not exist is said, beside the Backup Velero made', async () => {
    const name = backupNameFor('nowhere', 'velero.backup@t-absent');
    const { report } = await backUp('nowhere', 'velero.backup@t-absent', {
      sleep: velero(name, [{ phase: 'Completed' }]),
    });
    const f = report.findings.find((x) => x.id === 'velero.backup.namespace');
    expect(f?.title).toBe('Namespace nowhere does not exist: the Backup holds nothing of it');
  });

  it('no Velero: could not run (exit 3), the install command, and nothing created', async () => {
    api.store.groups.clear();
    const { report } = await backUp('shop', 'velero.backup@t-none');
    expect(report.couldNotRun).toContain('Velero is not installed on prod');
    expect(reportExitStatus(report)).toBe(3);
    expect(report.findings[0]?.remedy).toContain('velero install');
    expect(api.requestsTo('POST', POSTS)).toHaveLength(0);
  });
});
