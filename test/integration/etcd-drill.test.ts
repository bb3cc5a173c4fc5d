/**
 * Restore drills against real etcd (3.4 in the `main` project, 3.5 in `etcd-3.5`), with
 * the binaries of the version under test (QUORUM_ETCD_BIN_DIR): a good snapshot restores
 * with the counts recorded when it was taken and a time per phase; a damaged one is crit
 * (exit 2) with nothing left running and no data dir; a drill killed mid-way leaves no
 * etcd after the next drill's cleanup; missing binaries exit 3 saying what to install;
 * through the worker job the report lands in its Slack thread and /metrics has the gauges.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcd3Connector } from '../../src/clients/etcd3-member.js';
import type { DrillReport } from '../../src/domain/drill.js';
import type { SnapshotMeta } from '../../src/domain/snapshot.js';
import { takeSnapshot } from '../../src/operations/etcd/snapshot.js';
import { dirSnapshotStore } from '../../src/operations/etcd/store/dir-snapshot-store.js';
import { drillStore } from '../../src/state/drills.js';
import type { JobSummary } from '../../src/transport/queue/job-data.js';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import { listSchedules } from '../../src/transport/queue/schedules.js';
import { startBot, type Bot } from '../../src/transport/slack/bot.js';
import { quorum, QUORUM_BIN, cleanEnv } from '../support/cli.js';
import {
  etcdTestVersion,
  freePort,
  spawnChild,
  startEtcd,
  startRedis,
  tmpDir,
  waitFor,
  type EtcdCluster,
  type RedisServer,
} from '../support/index.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { postSigned, slashCommandBody } from '../support/slack-request.js';
import {
  startTestRuntime,
  testConfig,
  uniquePrefix,
  waitForJob,
  type TestRuntime,
} from '../e2e/harness.js';
import { etcdBinariesUnderTest, etcdsNaming } from '../support/drill.js';

const VERSION = etcdTestVersion();
/**
 * Seeded keys per resource prefix (after one pod was deleted); cert-manager's two
 * certificates and one non-Kubernetes key count in the total only (no fixed prefix).
 */
const SEEDED = {
  '/registry/pods/': 5,
  '/registry/secrets/': 3,
  '/registry/configmaps/': 4,
  '/registry/deployments/': 2,
  '/registry/minions/': 0,
};

let etcd: EtcdCluster;
let snapDir: string;
let workDir: string;
let binDir: string;
let meta: SnapshotMeta;

async function seed(endpoints: string[]): Promise<void> {
  const client = new Etcd3({ hosts: endpoints });
  try {
    for (let i = 0; i < 6; i++) await client.put(`/registry/pods/shop/web-${i}`).value(`pod-${i}`);
    await client.put('/registry/pods/shop/web-1').value('pod-1 again');
    await client.delete().key('/registry/pods/shop/web-5');
    for (let i = 0; i < 3; i++)
      await client.put(`/registry/secrets/shop/s-${i}`).value('k8s:enc:aescbc:v1:x');
    for (let i = 0; i < 4; i++) await client.put(`/registry/configmaps/shop/cm-${i}`).value('{}');
    for (let i = 0; i < 2; i++) await client.put(`/registry/deployments/shop/d-${i}`).value('{}');
    for (let i = 0; i < 2; i++)
      await client.put(`/registry/cert-manager.io/certificates/shop/c-${i}`).value('{}');
    await client.put('/not-kubernetes/key').value('x');
  } finally {
    client.close();
  }
}

async function snapshot(dir: string, compress: boolean): Promise<SnapshotMeta> {
  const report = await takeSnapshot(etcd3Connector({}), {
    cluster: 'prod',
    endpoints: etcd.endpoints,
    store: dirSnapshotStore(dir),
    compress,
    requestedBy: 'test',
    timeoutMs: 10_000,
  });
  expect(report.findings.map((f) => f.severity)).toEqual(['ok']);
  return report.data.meta!;
}

const env = (more: Record<string, string> = {}) => ({
  ...etcd.env,
  QUORUM_CLUSTER: 'prod',
  QUORUM_SNAPSHOT_DIR: snapDir,
  QUORUM_ETCD_BIN_DIR: binDir,
  QUORUM_DRILL_DIR: workDir,
  ...more,
});

async function drill(args: string[], vars: Record<string, string> = {}) {
  const r = await quorum(['etcd', 'drill', ...args, '--json'], env(vars));
  return { ...r, report: JSON.parse(r.stdout || '{}') as DrillReport & { exitCode: number } };
}

const drillDirs = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('drill-')) : [];

/** A copy of the snapshot (and sidecar) in a directory of its own, its sidecar changed by `edit`. */
async function copyOf(edit: (m: SnapshotMeta) => SnapshotMeta = (m) => m): Promise<string> {
  const dir = await tmpDir('drill-copy');
  copyFileSync(path.join(snapDir, meta.file), path.join(dir, meta.file));
  await writeFile(path.join(dir, `${meta.file}.json`), JSON.stringify(edit({ ...meta })), {
    mode: 0o600,
  });
  return dir;
}

beforeAll(async () => {
  etcd = await startEtcd();
  [snapDir, workDir, binDir] = [
    await tmpDir('drill-snaps'),
    await tmpDir('drill-work'),
    await etcdBinariesUnderTest('drill-bin'),
  ];
  await seed(etcd.endpoints);
  meta = await snapshot(snapDir, false);
});
afterAll(() => etcd?.close());

describe(`restore drills (etcd ${VERSION})`, () => {
  it('records key counts per resource prefix when the snapshot is taken', () => {
    expect(meta.counts).toMatchObject({ revision: meta.revision, prefixes: SEEDED });
    expect(meta.counts!.prefixes['/registry/cert-manager.io/certificates/']).toBeUndefined();
    expect(meta.counts!.total).toBe(17);
  });

  it('drills a good snapshot: restored, counts match, every phase timed, nothing left behind', async () => {
    const { code, report } = await drill(['latest']);
    expect(code, JSON.stringify(report.findings, null, 2)).toBe(0);
    expect(report.kind).toBe('etcd.drill');
    expect(report.data.proved).toBe('restore-and-counts');
    expect(report.data.restoredRevision).toBeGreaterThanOrEqual(meta.revision);
    expect(report.data.status?.revision).toBe(report.data.restoredRevision);
    expect(report.data.counts).toMatchObject({ recordedTotal: 17, restoredTotal: 17 });
    // Every value was read once: the seeded values' bytes, and more (the namespaces of
    // none, so exactly these): 5 pods + 3 secrets + 4 + 2 + 2 + 1.
    expect(report.data.counts!.valueBytes).toBeGreaterThan(5 * 5 + 3 * 19);
    for (const p of report.data.counts!.prefixes) expect(p.restored, p.prefix).toBe(p.recorded);
    for (const phase of ['download', 'restore', 'start', 'scan'] as const)
      expect(report.data.phases[phase], phase).toBeGreaterThanOrEqual(0);
    expect(report.data.totalMs).toBeGreaterThan(0);
    expect(report.data.tools?.etcdVersion).toMatch(
      new RegExp(`^${VERSION.replace('.', '\\.')}\\.`),
    );
    expect(report.data.tools?.restore).toMatch(VERSION === '3.5' ? /etcdutl$/ : /etcdctl$/);
    const time = report.findings.find((f) => f.id === 'etcd.drill.time');
    expect(time?.title).toMatch(/^Time to restore: .+ for a .+ database$/);
    expect(time?.detail).toMatch(/download .+ · restore .+ · start .+ · scan /);
    // Recorded beside the snapshot for the CLI's upgrade precheck.
    const record = JSON.parse(readFileSync(path.join(snapDir, `${meta.file}.drill.json`), 'utf8'));
    expect(record).toMatchObject({ snapshotId: meta.id, ok: true, proved: 'restore-and-counts' });
    expect(drillDirs(workDir)).toEqual([]);
    expect(await etcdsNaming(workDir)).toEqual([]);
  });

  it('prints the phases and the counts for people', async () => {
    const r = await quorum(['etcd', 'drill'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✔ etcd drill of prod: ok/);
    expect(r.stdout).toMatch(/^PHASE\s+TIME\ndownload\s+\d/m);
    expect(r.stdout).toMatch(/\/registry\/pods\/\s+5\s+5/);
  });

  it('drills a compressed snapshot (gunzipped while its hash is checked)', async () => {
    const dir = await tmpDir('drill-gz');
    const gz = await snapshot(dir, true);
    const { code, report } = await drill([gz.id, '--dir', dir]);
    expect(code, JSON.stringify(report.findings, null, 2)).toBe(0);
    expect(report.data.snapshot.compressed).toBe(true);
    expect(report.data.proved).toBe('restore-and-counts');
  });

  it('a damaged snapshot (one flipped byte) is crit, exit 2: nothing restored, nothing running, no data dir', async () => {
    const dir = await copyOf();
    const file = path.join(dir, meta.file);
    const bytes = readFileSync(file);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] as number) ^ 0xff;
    await writeFile(file, bytes);
    const { code, report } = await drill([meta.id, '--dir', dir]);
    expect(code).toBe(2);
    const damaged = report.findings.find((f) => f.id === 'etcd.drill.download');
    expect(damaged).toMatchObject({ severity: 'crit' });
    expect(damaged?.title).toMatch(/is damaged: SHA-256 mismatch/);
    expect(report.data.proved).toBe('nothing');
    expect(report.data.phases.start).toBeUndefined();
    expect(drillDirs(workDir)).toEqual([]);
    expect(await etcdsNaming(workDir)).toEqual([]);
    const record = JSON.parse(readFileSync(`${file}.drill.json`, 'utf8'));
    expect(record).toMatchObject({ ok: false, severity: 'crit' });
  });

  it('counts that differ from the recorded ones are crit, exit 2, naming the prefix', async () => {
    const dir = await copyOf((m) => ({
      ...m,
      counts: { ...m.counts!, prefixes: { ...m.counts!.prefixes, '/registry/pods/': 6 } },
    }));
    const { code, report } = await drill([meta.id, '--dir', dir]);
    expect(code).toBe(2);
    const counts = report.findings.find((f) => f.id === 'etcd.drill.counts');
    expect(counts?.severity).toBe('crit');
    expect(counts?.detail).toContain('/registry/pods/: 6 recorded, 5 restored');
    expect(report.data.proved).toBe('restore');
  });

  it('an older snapshot without counts is a warning: only the restore is proven (exit 1)', async () => {
    const dir = await copyOf(({ counts: _c, ...m }) => m);
    const { code, report } = await drill([meta.id, '--dir', dir]);
    expect(code).toBe(1);
    const counts = report.findings.find((f) => f.id === 'etcd.drill.counts');
    expect(counts?.severity).toBe('warn');
    expect(counts?.title).toMatch(/only the restore is proven/);
    expect(report.data.proved).toBe('restore');
  });

  it('without etcd binaries: exit 3, saying exactly what to install', async () => {
    const empty = await tmpDir('drill-nobin');
    const { code, report } = await drill(['latest'], {
      QUORUM_ETCD_BIN_DIR: empty,
      PATH: path.join(empty, 'nothing-here'),
    });
    expect(code).toBe(3);
    expect(report.couldNotRun).toMatch(/etcd and etcd(ctl|utl) not found in QUORUM_ETCD_BIN_DIR=/);
    const tools = report.findings.find((f) => f.id === 'etcd.drill.tools');
    expect(tools?.remedy).toMatch(
      new RegExp(
        `^Install etcd ${VERSION.replace('.', '\\.')} \\(Debian 1[23]'s etcd-server and etcd-client packages`,
      ),
    );
    expect(tools?.remedy).toMatch(/or set QUORUM_ETCD_BIN_DIR/);
    expect(drillDirs(workDir)).toEqual([]);
  });
});

describe(`a drill killed mid-way (etcd ${VERSION})`, () => {
  /** Survivors of a failed assertion: killed here (if still the etcd of that dir) so no test leaves one behind. */
  const orphans: { pid: number; dir: string }[] = [];
  afterAll(async () => {
    for (const { pid, dir } of orphans) {
      if (!(await etcdsNaming(dir)).includes(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  });

  /** Runs the built CLI's drill in a child process and SIGKILLs it once its scratch etcd runs. */
  async function killMidDrill(work: string, vars: Record<string, string>): Promise<number[]> {
    if (!existsSync(QUORUM_BIN))
      throw new Error(`${QUORUM_BIN} is missing: run npm run build first`);
    mkdirSync(work, { recursive: true });
    const child = spawnChild(process.execPath, [QUORUM_BIN, 'etcd', 'drill', 'latest', '--json'], {
      env: cleanEnv({ ...env({ QUORUM_DRILL_DIR: work }), LOG_LEVEL: 'silent', ...vars }),
    });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    let pids: number[] = [];
    await waitFor(
      async () => {
        pids = await etcdsNaming(work);
        return pids.length > 0;
      },
      { what: 'the scratch etcd to start', timeoutMs: 30_000, intervalMs: 10, context: () => out },
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    expect(out, 'the drill was killed before it reported').toBe('');
    return pids;
  }

  it('with setpriv, the kernel stops its etcd at once; the next drill removes the directory', async () => {
    const work = path.join(await tmpDir('drill-kill'), 'work');
    orphans.push(...(await killMidDrill(work, {})).map((pid) => ({ pid, dir: work })));
    await waitFor(async () => (await etcdsNaming(work)).length === 0, {
      what: 'the orphaned etcd to die with its parent',
      timeoutMs: 10_000,
    });
    expect(drillDirs(work)).toHaveLength(1);
    const { code, report } = await drill(['latest'], { QUORUM_DRILL_DIR: work });
    expect(code).toBe(0);
    expect(report.data.cleanedUp.dirs).toHaveLength(1);
    expect(drillDirs(work)).toEqual([]);
  });

  it('without setpriv (not on PATH), its etcd survives, and the next drill kills it and removes its data dir', async () => {
    const work = path.join(await tmpDir('drill-kill-nopdeath'), 'work');
    const pids = await killMidDrill(work, { PATH: path.join(work, 'no-setpriv-here') });
    orphans.push(...pids.map((pid) => ({ pid, dir: work })));
    // The fault: an etcd serving a restored copy with nobody left to stop it.
    await new Promise((r) => setTimeout(r, 500));
    expect(await etcdsNaming(work)).toEqual(pids);
    const { code, report } = await drill(['latest'], { QUORUM_DRILL_DIR: work });
    expect(code, JSON.stringify(report.findings, null, 2)).toBe(0);
    expect(report.data.cleanedUp.killed).toEqual(pids);
    expect(report.findings.find((f) => f.id === 'etcd.drill.cleanup')?.title).toMatch(
      new RegExp(`stopped their scratch etcd \\(pid ${pids[0]}\\)`),
    );
    expect(await etcdsNaming(work)).toEqual([]);
    expect(drillDirs(work)).toEqual([]);
  });
});

describe(`/etcd-snapshot drill and the etcd.drill job on a worker (etcd ${VERSION})`, () => {
  const CHANNEL = 'C0DRILL';
  const SECRET = 'drill-signing-secret';
  const prefix = uniquePrefix('drill');
  let redis: RedisServer;
  let slack: SlackApi;
  let rt: TestRuntime | undefined;
  let bot: Bot | undefined;
  let config: ReturnType<typeof testConfig>;
  let base: string;

  /** The runtime of one cluster and the bot, which serves /slack/events and /metrics. */
  const start = async () => {
    rt = await startTestRuntime(config, { prefix, clusters: ['prod'], http: false });
    bot = await startBot(config, rt.deps, rt.runtime, prefix);
    return rt;
  };
  const stop = async () => {
    await bot?.close();
    await rt?.close();
    [bot, rt] = [undefined, undefined];
  };
  const metrics = async () => (await fetch(`${base}/metrics`)).text();
  const slash = async (text: string) => {
    const body = slashCommandBody({
      command: '/etcd-snapshot',
      text,
      user_id: 'U0ALICE',
      channel_id: CHANNEL,
      response_url: `${slack.url}response`,
    });
    const res = await postSigned(base, body, SECRET);
    expect(res.status).toBe(200);
  };
  const roots = (what: RegExp) =>
    slack.messages(CHANNEL).filter((m) => !m.threadTs && what.test(m.text));
  const thread = (ts: string) => slack.messages(CHANNEL).filter((m) => m.threadTs === ts);

  beforeAll(async () => {
    [redis, slack] = await Promise.all([startRedis(), startSlackApi()]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    config = testConfig(
      {
        clusters: [{ name: 'prod', etcd: { endpoints: etcd.endpoints }, snapshotDir: snapDir }],
        drills: { binDir, workDir },
      },
      {
        REDIS_URL: redis.url,
        SLACK_API_URL: slack.url,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: SECRET,
        PORT: String(port),
        HOST: '127.0.0.1',
      },
    );
    await start();
  });
  afterAll(async () => {
    await stop();
    await Promise.all([redis?.close(), slack?.close()]);
  });

  it('/etcd-snapshot drill: the report lands in the thread, is recorded in Redis, and sets the gauges', async () => {
    await slash('drill');
    await waitFor(() => Promise.resolve(roots(/^etcd drill of \*prod\*/).length > 0), {
      what: 'the root message',
    });
    const root = roots(/^etcd drill of \*prod\*/)[0]!;
    expect(root.text).toContain('asked by <@U0ALICE>');
    await waitFor(() => Promise.resolve(thread(root.ts).length > 0), {
      what: 'the drill report in its thread',
      timeoutMs: 60_000,
    });
    const reply = thread(root.ts)[0]!;
    expect(reply.text).toBe('etcd drill of prod: ✔ restores');
    const blocks = JSON.stringify(reply.blocks);
    expect(blocks).toContain('Time to restore');
    expect(blocks).toContain(meta.id);
    expect(blocks).toMatch(/17 keys, 23 prefixes match/);
    // No approval asked: a drill changes nothing.
    expect(slack.messages(CHANNEL).some((m) => /Approve/.test(JSON.stringify(m.blocks)))).toBe(
      false,
    );

    const history = await drillStore(rt!.deps.redis, prefix).history('prod');
    expect(history.lastSuccess).toMatchObject({ snapshotId: meta.id, ok: true });
    expect(history.last?.drilledAt).toBe(history.lastSuccess?.drilledAt);

    const text = await metrics();
    expect(text).toMatch(
      /quorum_snapshot_last_drill_success_timestamp_seconds\{cluster="prod"\} 1\d{9}/,
    );
    for (const phase of ['download', 'restore', 'start', 'scan', 'total'])
      expect(text).toMatch(
        new RegExp(`quorum_snapshot_drill_phase_seconds\\{cluster="prod",phase="${phase}"\\} \\d`),
      );
    expect(text).toMatch(/quorum_snapshot_last_success_timestamp_seconds\{cluster="prod"\} 1\d{9}/);
  });

  it('an older drill record never replaces a newer one (two drills ending at once)', async () => {
    const store = drillStore(rt!.deps.redis, prefix);
    const before = await store.history('prod');
    await store.record({ ...before.last!, ok: false, drilledAt: '2000-01-01T00:00:00.000Z' });
    expect(await store.history('prod')).toEqual(before);
  });

  it("the worker's etcd check reports the newest drilled snapshot beside the newest snapshot", async () => {
    const { runtime } = rt!;
    const { jobId } = await enqueueJob(runtime.queues, {
      kind: 'etcd.check',
      cluster: 'prod',
      requestId: 'check-1',
      requestedBy: 'U0ALICE',
      target: { kind: 'slack', channel: CHANNEL, threadTs: '1700000000.000200' },
    });
    const job = await waitForJob(runtime.queues.queue('prod'), jobId, ['completed'], 60_000);
    const finding = (job.returnvalue as JobSummary).findings.find(
      (f) => f.id === 'etcd.snapshot.drill',
    );
    expect(finding).toMatchObject({ severity: 'info' });
    expect(finding?.title).toMatch(
      new RegExp(
        `^Newest drilled snapshot: ${meta.id}, .+ old \\(drilled .+ ago, restored in .+\\)$`,
      ),
    );
  });

  it('/etcd-snapshot schedule drill every 24h schedules the etcd.drill job', async () => {
    await slash('schedule drill every 24h');
    await waitFor(() => Promise.resolve(roots(/^Drills every 1d 0h for \*prod\*/).length > 0), {
      what: 'the schedule confirmation',
    });
    const schedules = await listSchedules(rt!.runtime.queues, 'prod');
    expect(schedules.find((s) => s.kind === 'etcd.drill')).toMatchObject({
      every: 86_400_000,
      source: 'slack',
    });
  });

  it('after a restart, /metrics has the last drill at once (read from Redis)', async () => {
    await stop();
    await start();
    expect(await metrics()).toMatch(
      /quorum_snapshot_last_drill_success_timestamp_seconds\{cluster="prod"\} 1\d{9}/,
    );
  });
});
