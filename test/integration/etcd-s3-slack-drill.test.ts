/**
 * Issue 16's "Done when", end to end against real etcd (3.4 in the `main` project, 3.5 in
 * `etcd-3.5`), real Redis, the Bolt receiver with signed requests, a worker, the Slack API
 * double and s3rver: `/etcd-snapshot` saves into the bucket (read back, metadata object
 * last, no local file); a drill schedule set from Slack makes the real scheduler run a drill
 * at once (no slash-command drill), which restores that snapshot from the bucket into a
 * scratch etcd and reports matching counts and the time to restore by phase in the channel,
 * records it in Redis and sets the gauges, leaving no etcd running and no work dir.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DrillReport } from '../../src/domain/drill.js';
import type { SnapshotMeta } from '../../src/domain/snapshot.js';
import { drillStore } from '../../src/state/drills.js';
import { jobResultStore } from '../../src/state/job-results.js';
import type { JobEnvelope } from '../../src/transport/queue/job-data.js';
import { listSchedules } from '../../src/transport/queue/schedules.js';
import { startBot, type Bot } from '../../src/transport/slack/bot.js';
import { startTestRuntime, testConfig, uniquePrefix, type TestRuntime } from '../e2e/harness.js';
import {
  etcdTestVersion,
  freePort,
  startEtcd,
  startRedis,
  tmpDir,
  waitFor,
  type EtcdCluster,
  type RedisServer,
} from '../support/index.js';
import { startS3, type S3Server } from '../support/s3.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { postSigned, slashCommandBody } from '../support/slack-request.js';
import { etcdBinariesUnderTest, etcdsNaming } from '../support/drill.js';

const VERSION = etcdTestVersion();
const CHANNEL = 'C0S3DRILL';
const SECRET = 'drill-s3-signing-secret';
const BUCKET = 'snaps';
const STORE = `s3://${BUCKET}/etcd/prod`;
const SEEDED = { '/registry/pods/': 4, '/registry/secrets/': 2, '/registry/configmaps/': 3 };

let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let s3: S3Server;
let client: S3Client;
let rt: TestRuntime;
let bot: Bot;
let base: string;
let snapDir: string;
let workDir: string;
const prefix = uniquePrefix('s3drill');
let meta: SnapshotMeta;

async function seed(): Promise<void> {
  const c = new Etcd3({ hosts: etcd.endpoints });
  try {
    for (const [p, n] of Object.entries(SEEDED))
      for (let i = 0; i < n; i++) await c.put(`${p}shop/k-${i}`).value(`v-${i}`);
    await c.put('/not-kubernetes/key').value('x');
  } finally {
    c.close();
  }
}

/** What is in `dir` but tmpDir's owner marker. */
const filesIn = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).filter((n) => n !== '.quorum-test-owner') : [];
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const top = (what: RegExp) =>
  slack.messages(CHANNEL).filter((m) => !m.threadTs && what.test(m.text));
const thread = (ts: string) => slack.messages(CHANNEL).filter((m) => m.threadTs === ts);

async function slash(text: string): Promise<void> {
  const body = slashCommandBody({
    command: '/etcd-snapshot',
    text,
    user_id: 'U0ALICE',
    channel_id: CHANNEL,
    response_url: `${slack.url}response`,
  });
  const res = await postSigned(base, body, SECRET);
  expect(res.status).toBe(200);
}

async function bucketKeys(): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'etcd/' }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function object(key: string): Promise<Uint8Array> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return out.Body!.transformToByteArray();
}

beforeAll(async () => {
  [etcd, redis, slack, s3] = await Promise.all([
    startEtcd(),
    startRedis(),
    startSlackApi(),
    startS3([BUCKET]),
  ]);
  await seed();
  [snapDir, workDir] = [await tmpDir('s3drill-snaps'), await tmpDir('s3drill-work')];
  // The AWS SDK finds endpoint, keys and region in the process environment, as in production.
  for (const [k, v] of Object.entries(s3.env)) vi.stubEnv(k, v);
  client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The cluster's snapshotDir is where a store chosen wrongly would write: it must stay empty.
  const config = testConfig(
    { clusters: [{ name: 'prod', etcd: { endpoints: etcd.endpoints }, snapshotDir: snapDir }] },
    {
      ...s3.env,
      QUORUM_SNAPSHOT_STORE: STORE,
      QUORUM_ETCD_BIN_DIR: await etcdBinariesUnderTest('s3drill-bin'),
      QUORUM_DRILL_DIR: workDir,
      REDIS_URL: redis.url,
      SLACK_API_URL: slack.url,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SECRET,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
  );
  rt = await startTestRuntime(config, { prefix, clusters: ['prod'], http: false });
  bot = await startBot(config, rt.deps, rt.runtime, prefix);
});

afterAll(async () => {
  await bot?.close();
  await rt?.close();
  client?.destroy();
  await Promise.all([etcd?.close(), redis?.close(), slack?.close(), s3?.close()]);
  vi.unstubAllEnvs();
});

describe(`a snapshot from Slack into a bucket, drilled on a schedule (etcd ${VERSION})`, () => {
  it('/etcd-snapshot: saved and verified in the bucket, its metadata object holds its SHA-256, no local file', async () => {
    await slash('');
    await waitFor(() => Promise.resolve(top(/^etcd snapshot of \*prod\*/).length > 0), {
      what: 'the root message',
    });
    const root = top(/^etcd snapshot of \*prod\*/)[0]!;
    await waitFor(() => Promise.resolve(thread(root.ts).length > 0), {
      what: 'the snapshot report in its thread',
      timeoutMs: 30_000,
    });
    const reply = thread(root.ts)[0]!;
    expect(reply.text).toBe('etcd snapshot of prod: ✔ saved and verified');

    const keys = await bucketKeys();
    expect(keys).toHaveLength(2);
    const [key, metaKey] = keys as [string, string];
    expect(metaKey).toBe(`${key}.json`);
    meta = JSON.parse(Buffer.from(await object(metaKey)).toString('utf8')) as SnapshotMeta;
    expect(key).toBe(`etcd/prod/${meta.file}`);
    expect(meta).toMatchObject({ verified: true, counts: { prefixes: SEEDED } });
    const bytes = await object(key);
    expect(bytes.length).toBe(meta.size);
    expect(sha256(bytes)).toBe(meta.sha256);
    const blocks = JSON.stringify(reply.blocks);
    expect(blocks).toContain(`Saved to \`${STORE}/${meta.file}\``);
    expect(blocks).toContain(meta.sha256);
    expect(filesIn(snapDir)).toEqual([]);
  });

  it('a drill schedule runs a drill of it from the bucket: counts match, time per phase, recorded, gauged, nothing left', async () => {
    expect(meta, 'the snapshot test ran first').toBeDefined();
    await slash('schedule drill every 24h');
    await waitFor(() => Promise.resolve(top(/^Drills every 1d 0h for \*prod\*/).length > 0), {
      what: 'the schedule confirmation',
    });
    // The scheduler's first slot is now: its report lands in the channel (no root, no slash drill).
    await waitFor(() => Promise.resolve(top(/^etcd drill of prod: /).length > 0), {
      what: 'the scheduled drill report in the channel',
      timeoutMs: 90_000,
    });
    const [reply, ...more] = top(/^etcd drill of prod: /);
    expect(more).toEqual([]);
    expect(reply!.text).toBe('etcd drill of prod: ✔ restores');
    expect(top(/^etcd drill of \*prod\*/)).toEqual([]);
    const blocks = JSON.stringify(reply!.blocks);
    expect(blocks).toContain(meta.id);
    expect(blocks).toMatch(new RegExp(`✔ ${meta.counts!.total} keys, \\d+ prefixes match`));
    expect(blocks).toMatch(/Time to restore: .+ for a .+ database/);
    expect(blocks).toMatch(/download \d[^·]* · restore \d[^·]* · start \d[^·]* · scan \d/);

    const queue = rt.runtime.queues.queue('prod');
    const runs = (await queue.getJobs(['completed'])).filter((j) =>
      j.id?.startsWith('repeat:etcd.drill:'),
    );
    expect(runs).toHaveLength(1);
    const data: JobEnvelope = runs[0]!.data;
    expect(data.requestedBy).toBe('schedule etcd.drill');
    const recorded = await jobResultStore(rt.deps.redis, prefix).get({
      jobId: runs[0]!.id!,
      run: data.nonce ?? data.enqueuedAt,
    });
    const report = recorded!.report as DrillReport;
    // Read from the bucket, not a local file.
    expect(report.data.snapshot).toMatchObject({ id: meta.id, path: `${STORE}/${meta.file}` });
    expect(report.data.proved).toBe('restore-and-counts');
    expect(report.data.counts).toMatchObject({
      recordedTotal: meta.counts!.total,
      restoredTotal: meta.counts!.total,
    });
    for (const [p, n] of Object.entries(SEEDED))
      expect(report.data.counts!.prefixes).toContainEqual({ prefix: p, recorded: n, restored: n });
    for (const p of report.data.counts!.prefixes) expect(p.restored, p.prefix).toBe(p.recorded);
    for (const phase of ['download', 'restore', 'start', 'scan'] as const)
      expect(report.data.phases[phase], phase).toBeGreaterThanOrEqual(0);
    expect(report.data.totalMs).toBeGreaterThan(0);
    expect(report.data.tools?.etcdVersion).toMatch(
      new RegExp(`^${VERSION.replace('.', '\\.')}\\.`),
    );

    const history = await drillStore(rt.deps.redis, prefix).history('prod');
    expect(history.lastSuccess).toMatchObject({
      snapshotId: meta.id,
      snapshotFile: meta.file,
      ok: true,
      proved: 'restore-and-counts',
    });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /quorum_snapshot_last_drill_success_timestamp_seconds\{cluster="prod"\} 1\d{9}/,
    );
    for (const phase of ['download', 'restore', 'start', 'scan', 'total'])
      expect(metrics).toMatch(
        new RegExp(`quorum_snapshot_drill_phase_seconds\\{cluster="prod",phase="${phase}"\\} \\d`),
      );

    expect(await etcdsNaming(workDir)).toEqual([]);
    expect(filesIn(workDir)).toEqual([]);
    expect(filesIn(snapDir)).toEqual([]);
    // The scheduler's next slot is a day on.
    const [schedule] = (await listSchedules(rt.runtime.queues, 'prod')).filter(
      (s) => s.kind === 'etcd.drill',
    );
    expect(schedule).toMatchObject({ every: 86_400_000, source: 'slack' });
    expect(schedule!.next!.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
  }, 120_000);
});
