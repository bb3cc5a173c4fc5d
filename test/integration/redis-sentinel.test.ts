/**
 * Redis behind Sentinel (issue 19), against real servers: a master, a replica and three
 * sentinels (test/support/redis-sentinel.ts), a real etcd, the Slack Web API test server,
 * and the built `quorum start` (workers, outbox, bot and Alertmanager webhook in one
 * process) configured ONLY with REDIS_SENTINELS / REDIS_SENTINEL_MASTER and the two
 * passwords — no REDIS_URL. While etcd checks and alerts flow, the master is SIGKILLed;
 * Sentinel promotes the replica; Quorum finds the new master on its own, /readyz says 503
 * meanwhile and 200 after, and no job or alert is lost or done twice: per job one result
 * in its thread, one `job.started` and one `job.finished` audit entry; per alert group one
 * incident root.
 *
 * Sentinel replicates asynchronously: a write the master acknowledged just before it died
 * may not have reached the replica. The test makes that window explicit — it waits until
 * the replica holds everything acknowledged so far, then kills the master at once — and
 * holds the few jobs acknowledged inside it (between that check and the end of the
 * failover) to "at most once"; every other job to exactly once.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { redisConnection } from '../../src/config/redis-connection.js';
import { silentLogger } from '../../src/domain/logger.js';
import { createRedis } from '../../src/runtime-deps.js';
import { readAudit } from '../../src/state/audit.js';
import { jobResultKey } from '../../src/state/job-results.js';
import { JobQueues } from '../../src/transport/queue/queues.js';
import { cleanEnv, quorum, QUORUM_BIN } from '../support/cli.js';
import {
  freePort,
  ServerProcess,
  startEtcd,
  tmpDir,
  waitFor,
  type EtcdCluster,
} from '../support/index.js';
import { startSentinelRedis, type SentinelRedis } from '../support/redis-sentinel.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { writeConfig } from '../e2e/worker-process.js';
import { startLoad, type Load } from '../support/sentinel-load.js';

const TOKEN = 'sentinel-test-alertmanager-token-0123';
const LANES = 4;
const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const part of open.splice(0).reverse()) await part.close();
});

afterAll(async () => {
  for (const part of open.splice(0).reverse()) await part.close();
});

async function sentinelRedis(): Promise<SentinelRedis> {
  const rig = await startSentinelRedis();
  open.push(rig);
  return rig;
}

/** `quorum start` as an operator runs it, every line it writes kept (to look for secrets). */
async function startQuorum(env: Record<string, string>) {
  const port = await freePort();
  const proc = new ServerProcess(process.execPath, [QUORUM_BIN, 'start'], {
    name: 'quorum start',
    env: cleanEnv({ ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }),
  });
  let output = '';
  proc.child.stdout?.on('data', (c: Buffer) => void (output += c.toString('utf8')));
  proc.child.stderr?.on('data', (c: Buffer) => void (output += c.toString('utf8')));
  open.push({ close: async () => void (await proc.stop()) });
  await waitFor(() => Promise.resolve(/quorum start: .*clusters c1/.test(output)), {
    what: 'quorum start to start',
    timeoutMs: 30_000,
    context: () => proc.logs(),
  });
  return { proc, base: `http://127.0.0.1:${port}`, output: () => output };
}

/** GET /readyz every 200 ms, keeping each answer's status (0: no answer within 5 s). */
function watchReadiness(base: string) {
  const seen: { at: number; status: number }[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const status = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.status,
        () => 0,
      );
      seen.push({ at: Date.now(), status });
      await sleep(200);
    }
  })();
  return { seen, stop: async () => void ((stopped = true), await done) };
}

describe('Quorum behind Redis Sentinel', () => {
  it('rides a failover under load: reconnects on its own, /readyz 503 then 200, nothing lost or done twice', async () => {
    const [rig, etcd, slack] = await Promise.all([sentinelRedis(), startEtcd(), startSlackApi()]);
    open.push(etcd, slack);
    const env = await quorumEnv(rig, etcd, slack);
    const app = await startQuorum(env);
    // The test's own client goes through Sentinel too, with Quorum's connection options.
    const client = createRedis(redisConnection(loadConfig(env)), silentLogger);
    const queues = new JobQueues({ connection: client, clusters: ['c1'] });
    open.push({ close: async () => (await queues.close(), client.disconnect()) });
    await waitFor(async () => (await fetch(`${app.base}/readyz`)).status === 200, {
      what: '/readyz to answer 200',
      timeoutMs: 20_000,
    });

    const { load, readiness, checkpoint, failedOver } = await failOverUnderLoad(
      rig,
      app.base,
      queues,
      slack,
    );
    const { sure, window } = partition(load, checkpoint, failedOver);
    await waitFor(() => Promise.resolve(sure.jobs.every((j) => replies(slack, j).length > 0)), {
      what: 'every job acknowledged outside the window to report in its thread',
      timeoutMs: 90_000,
      context: () => missing(slack, sure.jobs),
    });
    await waitFor(() => Promise.resolve(sure.alerts.every((a) => roots(slack, a.name) > 0)), {
      what: 'every alert acknowledged outside the window to open its incident',
      timeoutMs: 90_000,
      context: () =>
        sure.alerts
          .filter((a) => roots(slack, a.name) === 0)
          .map((a) => a.name)
          .join(', '),
    });
    const delivered = Date.now();
    await quiet(slack);

    const during = readiness.filter((r) => r.at > checkpoint);
    expect(during.some((r) => r.status === 503)).toBe(true);
    expect(during.at(-1)?.status).toBe(200);

    const audit = await readAudit(client, 'quorum');
    const count = (jobId: string, type: string) =>
      audit.filter((e) => e.params?.job === jobId && e.type === type).length;
    const perJob = async (j: Load['jobs'][number]) => ({
      replies: replies(slack, j).length,
      started: count(j.jobId, 'job.started'),
      finished: count(j.jobId, 'job.finished'),
      result: await client.exists(jobResultKey('quorum', j.jobId)),
    });
    const once = { replies: 1, started: 1, finished: 1, result: 1 };
    for (const j of sure.jobs)
      expect({ job: j.jobId, ...(await perJob(j)) }).toEqual({ job: j.jobId, ...once });
    // What Redis itself may lose: acknowledged by the old master, never replicated.
    const lost: string[] = [];
    for (const j of window.jobs) {
      const seen = await perJob(j);
      expect(Math.max(seen.replies, seen.started, seen.finished)).toBeLessThanOrEqual(1);
      if (seen.replies > 0) continue;
      const job = await queues.queue('c1').getJob(j.jobId);
      lost.push(`${j.jobId} (${job ? await job.getState() : 'not in Redis'})`);
    }
    for (const a of sure.alerts)
      expect({ group: a.name, roots: roots(slack, a.name) }).toEqual({ group: a.name, roots: 1 });
    for (const a of window.alerts) expect(roots(slack, a.name)).toBeLessThanOrEqual(1);
    expect(sure.jobs.filter((j) => j.ackedAt > failedOver).length).toBeGreaterThanOrEqual(20);
    expect(sure.alerts.filter((a) => a.ackedAt > failedOver).length).toBeGreaterThan(0);
    // `quorum audit-log` reads the same entries through Sentinel.
    const cli = await quorum(['audit-log', '--since', '1h', '--json'], rig.env);
    expect(cli.code).toBe(0);
    const listed = JSON.parse(cli.stdout) as { type: string; params?: { job?: string } }[];
    const startedOf = (jobId: string) =>
      listed.filter((e) => e.params?.job === jobId && e.type === 'job.started').length;
    expect(sure.jobs.map((j) => startedOf(j.jobId))).toEqual(sure.jobs.map(() => 1));
    // The passwords reached Redis and the sentinels, and no log line.
    expect(app.output()).not.toContain(rig.password);
    expect(app.output()).not.toContain(rig.sentinelPassword);
    console.info(
      `sentinel failover: ${load.jobs.length} jobs, ${load.alerts.length} alert groups; ` +
        `${window.jobs.length} jobs (not done: ${lost.join(', ') || 'none'}) and ${window.alerts.length} alerts acknowledged in the replication window; ` +
        `failover took ${failedOver - checkpoint} ms; all delivered ${delivered - failedOver} ms after it`,
    );
  }, 180_000);

  it('quorum audit-log says which sentinels did not answer, and what to check', async () => {
    const closed = await freePort();
    const r = await quorum(['audit-log', '--json'], {
      REDIS_SENTINELS: `127.0.0.1:${closed}`,
      REDIS_SENTINEL_MASTER: 'mymaster',
      REDIS_SENTINEL_PASSWORD: 'never-shown-pw',
    });
    expect(r.code).toBe(3);
    const body = JSON.parse(r.stdout) as { code: string; message: string; hint: string };
    expect(body.code).toBe('REDIS_UNREACHABLE');
    expect(body.message).toContain(
      `cannot read the audit log from Redis at master "mymaster" through Sentinel 127.0.0.1:${closed}`,
    );
    expect(body.hint).toMatch(/REDIS_SENTINELS and REDIS_SENTINEL_MASTER/);
    expect(r.stdout + r.stderr).not.toContain('never-shown-pw');
  });

  it('closes a connection at once while the master is down and the sentinels still name it', async () => {
    const rig = await sentinelRedis();
    const env = cleanEnv(rig.env);
    const c = createRedis(redisConnection(loadConfig(env)), silentLogger);
    c.on('error', () => undefined);
    const copy = c.duplicate(); // as BullMQ makes for its blocking reads
    copy.on('error', () => undefined);
    await Promise.all([c.ping(), copy.ping()]);
    const blocked = copy.bzpopmin('quorum-test-marker', 0);
    await sleep(50);
    await rig.killMaster();
    for (const x of [c, copy]) if (x.status !== 'reconnecting') await once(x, 'reconnecting');
    const queued = c.get('quorum-test');
    const ended = Promise.all([once(c, 'end'), once(copy, 'end')]).then(() => 'ended');
    c.disconnect();
    copy.disconnect();
    // Each outcome is watched from now on: the queued GET is refused just before "end".
    expect(await Promise.all([settled(ended), settled(queued), settled(blocked)])).toEqual([
      'resolved ended',
      'rejected Connection is closed.',
      'rejected Connection is closed.',
    ]);
  }, 60_000);

  it('closes a connection at once while it asks sentinels that accept and never answer', async () => {
    const rig = await sentinelRedis();
    const c = createRedis(redisConnection(loadConfig(cleanEnv(rig.env))), silentLogger);
    c.on('error', () => undefined);
    await c.ping();
    await rig.killMaster();
    rig.freezeSentinels(); // before they see the master down: no failover
    try {
      // The reconnect asks a frozen sentinel for the master: it stays "connecting".
      await waitFor(() => Promise.resolve(c.status === 'connecting'), {
        what: 'the client to ask the sentinels again',
        context: () => c.status,
      });
      await sleep(500);
      const ended = once(c, 'end').then(() => 'ended');
      c.disconnect();
      expect(await settled(ended)).toBe('resolved ended');
    } finally {
      rig.thawSentinels();
    }
  }, 60_000);
});

/**
 * Jobs and alerts flow; the replica is caught up, the master is killed and a replica
 * promoted; /readyz answers 200 again and 20 more jobs are acknowledged; the load stops.
 */
async function failOverUnderLoad(
  rig: SentinelRedis,
  base: string,
  queues: JobQueues,
  slack: SlackApi,
) {
  const readiness = watchReadiness(base);
  const load = startLoad({ queues, slack, base, token: TOKEN, lanes: LANES });
  const until = (what: string, ok: () => boolean) =>
    waitFor(() => Promise.resolve(ok()), { what, timeoutMs: 30_000 });
  await until('jobs to flow before the failover', () =>
    load.jobs.some((j, i) => i >= 4 && replies(slack, j).length > 0),
  );
  // Everything acknowledged until now is on the replica; the master dies right after.
  const checkpoint = Date.now();
  await rig.replicated();
  const oldMaster = await rig.killMaster();
  const promoted = await rig.failedOver(oldMaster, 30_000);
  const failedOver = Date.now();
  expect(promoted).not.toBe(oldMaster);
  await until('/readyz to answer 200 again', () =>
    readiness.seen.some((r) => r.at > failedOver && r.status === 200),
  );
  const readyAgain = Date.now();
  await until(
    '20 jobs to be acknowledged after the failover',
    () => load.jobs.filter((j) => j.ackedAt > readyAgain).length >= 20,
  );
  await load.stop();
  await readiness.stop();
  return { load, readiness: readiness.seen, checkpoint, failedOver };
}

/** How `p` settled within 3 s: its value, its error's message, or 'pending'. */
async function settled(p: Promise<unknown>): Promise<string> {
  const outcome = p.then(
    (v) => `resolved ${String(v)}`,
    (e: unknown) => `rejected ${(e as Error).message}`,
  );
  return Promise.race([outcome, sleep(3_000, 'pending')]);
}

async function quorumEnv(rig: SentinelRedis, etcd: EtcdCluster, slack: SlackApi) {
  const dir = await tmpDir('sentinel-quorum');
  const routes = Array.from({ length: LANES }, (_, i) => ({
    match: { lane: String(i) },
    channel: `C0LANE${i}`,
  }));
  const config = writeConfig(dir, {
    clusters: [
      { name: 'c1', etcd: { endpoints: etcd.endpoints }, snapshotDir: `${dir}/snapshots` },
    ],
    check: { timeout: '2s' },
    alerts: { routes },
  });
  return {
    QUORUM_CONFIG: config,
    ...rig.env,
    SLACK_API_URL: slack.url,
    SLACK_BOT_TOKEN: 'xoxb-sentinel',
    SLACK_SIGNING_SECRET: 'sentinel-signing-secret',
    QUORUM_ALERT_CHANNEL: 'C0ALERTS',
    QUORUM_ALERT_TOKEN: TOKEN,
  };
}

const replies = (slack: SlackApi, j: { channel: string; ts: string }) =>
  slack.messages(j.channel).filter((m) => m.threadTs === j.ts);

const roots = (slack: SlackApi, name: string) =>
  slack.messages().filter((m) => !m.threadTs && new RegExp(`\\b${name}\\b`).test(m.text)).length;

const missing = (slack: SlackApi, jobs: Load['jobs']) =>
  jobs
    .filter((j) => replies(slack, j).length === 0)
    .map((j) => j.jobId)
    .join('\n');

/** Jobs and alerts acknowledged inside the replication window (at most once) and outside it (exactly once). */
function partition(load: Load, from: number, to: number) {
  const inside = (x: { ackedAt: number }) => x.ackedAt >= from && x.ackedAt <= to;
  return {
    sure: {
      jobs: load.jobs.filter((j) => !inside(j)),
      alerts: load.alerts.filter((a) => !inside(a)),
    },
    window: { jobs: load.jobs.filter(inside), alerts: load.alerts.filter(inside) },
  };
}

/** Waits until nothing reaches Slack for 3 s: a late duplicate has had its chance. */
async function quiet(slack: SlackApi): Promise<void> {
  let last = -1;
  let since = Date.now();
  await waitFor(
    () => {
      const n = slack.calls().length;
      if (n !== last) [last, since] = [n, Date.now()];
      return Promise.resolve(Date.now() - since >= 3_000);
    },
    { what: 'Slack to go quiet', timeoutMs: 60_000, intervalMs: 200 },
  );
}
