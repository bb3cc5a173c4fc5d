/**
 * `/backup-status` and `/velero-backup` end to end: signed slash commands to the real Bolt
 * receiver (the bot in this process, delivering the outbox), the jobs on a real `quorum
 * worker` process (the built binary) against real Redis, a real etcd (the snapshot the
 * report shows) and the Kubernetes API test server serving Velero's objects, the Slack Web
 * API test server recording what is posted. The test plays Velero: it moves the Backup's
 * status.phase on the API server. A worker killed mid-watch is replaced, and the Backup
 * is made once.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/state/audit.js';
import { cleanEnv, quorum } from '../support/cli.js';
import {
  freePort,
  startEtcd,
  startKubeApi,
  startRedis,
  tmpDir,
  waitFor,
  type EtcdCluster,
  type KubeApiServer,
  type KubeObject,
  type RedisServer,
} from '../support/index.js';
import { veleroApiResourceList, veleroCluster } from '../support/kube-velero.js';
import { startQuorumBot, type QuorumBot } from '../support/quorum-bot.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { postSigned, slashCommandBody } from '../support/slack-request.js';
import { startWorkerProcess, writeConfig, type WorkerProcess } from './worker-process.js';

const SECRET = 'backup-slack-signing-secret';
const CHANNEL = 'C0BACKUP';

let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let api: KubeApiServer;
let bot: QuorumBot;
let worker: WorkerProcess;
let workerEnv: Record<string, string>;
let snapshotId: string;

beforeAll(async () => {
  [etcd, redis, slack, api] = await Promise.all([
    startEtcd(),
    startRedis(),
    startSlackApi(),
    startKubeApi(),
  ]);
  api.store.add(...veleroCluster(new Date()).objects);
  api.store.groups.set('velero.io/v1', veleroApiResourceList());
  api.store.groups.set('snapshot.storage.k8s.io/v1', { kind: 'APIResourceList' });
  const dir = await tmpDir('quorum-backup-e2e-');
  const snapshotDir = path.join(dir, 'snapshots');
  const config = writeConfig(dir, {
    clusters: [
      {
        name: 'prod',
        etcd: { endpoints: etcd.endpoints },
        kubeconfig: await api.writeKubeconfig(),
        snapshotDir,
      },
    ],
    // A killed worker's job is taken over after a second.
    worker: { stalledInterval: '1s' },
  });
  workerEnv = { QUORUM_CONFIG: config, REDIS_URL: redis.url };
  const snap = await quorum(['etcd', 'snapshot'], workerEnv);
  expect(snap.code, snap.stderr).toBe(0);
  snapshotId = (await readdir(snapshotDir)).find((f) => f.endsWith('.db'))!.replace(/\.db$/, '');
  const env = cleanEnv({
    ...workerEnv,
    SLACK_BOT_TOKEN: 'xoxb-backup',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
  });
  // The Slack side and the outbox here; the cluster's jobs in a worker process.
  bot = await startQuorumBot(env, { clusters: [], outboxIntervalMs: 30 });
  worker = await startWorkerProcess(['--cluster', 'prod'], workerEnv);
}, 60_000);

afterAll(async () => {
  await worker?.proc.stop();
  await bot?.close();
  await Promise.all([slack?.close(), redis?.close(), etcd?.close(), api?.close()]);
});

const slash = (command: string, text: string) =>
  postSigned(
    bot.base,
    slashCommandBody({
      command,
      text,
      user_id: 'U0ALICE',
      channel_id: CHANNEL,
      response_url: `${slack.url}response`,
    }),
    SECRET,
  );

const replies = (ts: string) => slack.messages(CHANNEL).filter((m) => m.threadTs === ts);
const thread = (ts: string) =>
  replies(ts)
    .map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`)
    .join('\n');

/** The newest root message whose text matches `what`, once posted. */
async function rootOf(what: RegExp, before: number) {
  const find = () =>
    slack
      .messages(CHANNEL)
      .slice(before)
      .find((m) => !m.threadTs && what.test(m.text));
  await waitFor(() => Promise.resolve(find() !== undefined), { what: `a root message ${what}` });
  return find()!;
}

/** Every text the root has shown, edits included. */
const rootTexts = (ts: string) => {
  const m = slack.messages(CHANNEL).find((x) => x.ts === ts);
  return m ? [...m.history, m.text] : [];
};

const backupsOf = (namespace: string) =>
  api.store
    .list('Backup', 'velero')
    .filter((b) => b.metadata.name.startsWith(`quorum-${namespace}-`));

async function createdBackup(namespace: string): Promise<KubeObject> {
  await waitFor(() => Promise.resolve(backupsOf(namespace).length > 0), {
    what: `a Backup of ${namespace} on the API server`,
    timeoutMs: 20_000,
    context: () => worker.proc.logs(),
  });
  return backupsOf(namespace)[0]!;
}

/** Plays Velero's backup controller: writes the Backup's status. */
function setStatus(b: KubeObject, status: Record<string, unknown>) {
  expect(api.store.update('Backup', b.metadata.name, 'velero', (o) => (o.status = status))).toBe(
    true,
  );
}

const completed = (total: number) => ({
  phase: 'Completed',
  startTimestamp: new Date(Date.now() - 60_000).toISOString(),
  completionTimestamp: new Date().toISOString(),
  expiration: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  progress: { itemsBackedUp: total, totalItems: total },
});

describe('/backup-status', () => {
  it('answers in a thread with both halves — the etcd snapshot and Velero — naming the uncovered namespace', async () => {
    const before = slack.messages(CHANNEL).length;
    expect((await slash('/backup-status', 'prod')).status).toBe(200);
    const root = await rootOf(/backup status/, before);
    expect(root.text).toContain('of *prod*, asked by <@U0ALICE>');
    await waitFor(() => Promise.resolve(replies(root.ts).length > 0), {
      what: 'the report in the thread',
      timeoutMs: 30_000,
      context: () => worker.proc.logs(),
    });
    const report = thread(root.ts);
    expect(report).toContain(snapshotId);
    expect(report).toContain('analytics');
    expect(report).toContain('daily');
    expect(api.requestsTo('GET', '/apis/velero.io/v1/schedules').length).toBeGreaterThan(0);
    expect(api.requestsTo('POST', /velero/)).toEqual([]);
  }, 60_000);
});

describe('/velero-backup', () => {
  it("creates a Backup from the covering Schedule's template, shows its progress and its end", async () => {
    const before = slack.messages(CHANNEL).length;
    expect((await slash('/velero-backup', 'shop prod')).status).toBe(200);
    const root = await rootOf(/velero backup/, before);
    const backup = await createdBackup('shop');
    expect(backup.spec).toMatchObject({
      includedNamespaces: ['shop'],
      snapshotVolumes: true,
      storageLocation: 'default',
      ttl: '720h0m0s',
    });
    expect(backup.metadata.labels).toMatchObject({
      'quorum.io/requested-by': 'U0ALICE',
      'quorum.io/job': expect.stringMatching(/^velero\.backup/),
    });
    expect(backup.metadata.labels).not.toHaveProperty('velero.io/schedule-name');
    expect(backup.metadata.name.length).toBeLessThanOrEqual(63);

    setStatus(backup, {
      phase: 'InProgress',
      startTimestamp: new Date().toISOString(),
      progress: { itemsBackedUp: 37, totalItems: 120 },
    });
    await waitFor(
      () => Promise.resolve(rootTexts(root.ts).some((t) => t.includes('InProgress: 37/120 items'))),
      {
        what: 'the progress on the root',
        timeoutMs: 20_000,
        context: () => rootTexts(root.ts).join('\n'),
      },
    );
    expect(replies(root.ts)).toEqual([]);

    setStatus(backup, completed(120));
    await waitFor(() => Promise.resolve(replies(root.ts).length > 0), {
      what: 'the result in the thread',
      timeoutMs: 20_000,
      context: () => worker.proc.logs(),
    });
    const result = thread(root.ts);
    expect(result).toContain(
      `Backup velero/${backup.metadata.name} of namespace shop Completed: 120/120 items`,
    );
    expect(result).toContain('Schedule velero/daily');
    expect(result).toContain(`velero restore create --from-backup ${backup.metadata.name}`);
    await waitFor(() => Promise.resolve(rootTexts(root.ts).at(-1)!.includes('✔ done')), {
      what: 'the verdict on the root',
    });

    // The audit log: the command, and the job's start and end, each naming namespace and Backup.
    const entries = (await readAudit(bot.deps.redis, 'quorum')).filter(
      (e) => e.action === 'velero.backup',
    );
    expect(entries.filter((e) => e.type === 'command')).toEqual([
      expect.objectContaining({ who: 'U0ALICE', cluster: 'prod', params: { namespace: 'shop' } }),
    ]);
    const named = `namespace shop, backup ${backup.metadata.name}`;
    expect(entries.filter((e) => e.type === 'job.started')).toEqual([
      expect.objectContaining({ who: 'U0ALICE', detail: named }),
    ]);
    expect(entries.filter((e) => e.type === 'job.finished')).toEqual([
      expect.objectContaining({ detail: named, outcome: 'ok' }),
    ]);
  }, 60_000);

  it('refuses a namespace that is not a DNS-1123 label, saying what is wrong, and creates nothing', async () => {
    const before = slack.messages(CHANNEL).length;
    const posts = api.requestsTo('POST', /\/backups$/).length;
    const res = await slash('/velero-backup', '"bad name!" prod');
    const answer = JSON.parse(await res.text()) as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain(
      '"bad name!" is not a namespace name: a space, "!" are not allowed',
    );
    expect(JSON.stringify(answer)).toContain('/velero-backup NAMESPACE [CLUSTER]');
    // Nothing posted, nothing created (a wrongly enqueued job would have had time to show).
    await new Promise((r) => setTimeout(r, 500));
    expect(slack.messages(CHANNEL)).toHaveLength(before);
    expect(api.requestsTo('POST', /\/backups$/)).toHaveLength(posts);
  });

  it('makes one Backup when its worker is killed mid-watch and another takes the job over', async () => {
    const before = slack.messages(CHANNEL).length;
    expect((await slash('/velero-backup', 'billing')).status).toBe(200);
    const root = await rootOf(/velero backup/, before);
    const backup = await createdBackup('billing');
    // The template of hourly-billing: file-system backup, a week's TTL.
    expect(backup.spec).toMatchObject({
      includedNamespaces: ['billing'],
      defaultVolumesToFsBackup: true,
      ttl: '168h0m0s',
    });
    await waitFor(
      () => Promise.resolve(rootTexts(root.ts).some((t) => t.includes('waiting for Velero'))),
      { what: 'the first worker to watch the Backup', timeoutMs: 20_000 },
    );
    await worker.proc.kill();
    worker = await startWorkerProcess(['--cluster', 'prod'], workerEnv);
    const creates = () =>
      api
        .requestsTo('POST', '/apis/velero.io/v1/namespaces/velero/backups')
        .filter((r) => (r.body as KubeObject).metadata.name === backup.metadata.name);
    await waitFor(() => Promise.resolve(creates().length === 2), {
      what: 'the second worker to ask for the same Backup',
      timeoutMs: 30_000,
      context: () => worker.proc.logs(),
    });
    setStatus(backup, completed(40));
    await waitFor(() => Promise.resolve(replies(root.ts).length > 0), {
      what: 'the result in the thread',
      timeoutMs: 20_000,
      context: () => worker.proc.logs(),
    });
    expect(backupsOf('billing')).toHaveLength(1);
    const result = thread(root.ts);
    expect(result).toContain('of namespace billing Completed: 40/40 items');
    expect(result).toContain('made by an earlier attempt of this job');
    await new Promise((r) => setTimeout(r, 500));
    expect(replies(root.ts)).toHaveLength(1);
  }, 90_000);
});
