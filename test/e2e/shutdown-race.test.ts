/**
 * Issue 15, invariant 6: stopping is quick, always. An idle `quorum worker` or
 * `quorum bot` (the built binary, against a real redis-server) exits 0 within 5 s of
 * SIGTERM however Redis is doing: killed at a varying moment and restarted (SIGTERM
 * landing before, during or after the reconnects) or not; a worker's blocking
 * (BZPOPMIN) connection cut off alone and kept out while the rest stays connected;
 * Redis frozen (SIGSTOP) while the process closes.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, QUORUM_BIN } from '../support/cli.js';
import { freePort, ServerProcess, tmpDir, waitFor, type ProcessExit } from '../support/index.js';
import { startRestartableRedis, type RestartableRedis } from '../support/restartable-redis.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { writeConfig } from './worker-process.js';

/** The invariant's bound, from SIGTERM to the exit being observed. */
const EXIT_BOUND_MS = 5_000;

type Kind = 'worker' | 'bot';
/** Connections at least blocked in BZPOPMIN once idle: the cluster worker; the alert and outbox consumers. */
const BLOCKED: Record<Kind, number> = { worker: 1, bot: 2 };

let slack: SlackApi;
let config: string;

beforeAll(async () => {
  slack = await startSlackApi();
  const dir = await tmpDir('shutdown-race');
  config = writeConfig(dir, {
    // Nothing listens on port 9: an idle process never dials etcd.
    clusters: [
      { name: 'c1', etcd: { endpoints: ['http://127.0.0.1:9'] }, snapshotDir: path.join(dir, 's') },
    ],
  });
});

afterAll(async () => {
  await slack?.close();
});

async function startQuorum(kind: Kind, redis: RestartableRedis): Promise<ServerProcess> {
  // freePort() is racy with other tests on this machine: a port taken meanwhile is tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startQuorumOnce(kind, redis);
    } catch (err) {
      if (attempt >= 3 || !/already in use/.test(String(err))) throw err;
    }
  }
}

async function startQuorumOnce(kind: Kind, redis: RestartableRedis): Promise<ServerProcess> {
  const slackEnv = {
    SLACK_API_URL: slack.url,
    SLACK_BOT_TOKEN: 'xoxb-shutdown',
    SLACK_SIGNING_SECRET: 'shutdown-secret',
  };
  const proc = new ServerProcess(
    process.execPath,
    [QUORUM_BIN, ...(kind === 'worker' ? ['worker', '--cluster', 'c1'] : ['bot'])],
    {
      name: `quorum ${kind}`,
      env: cleanEnv({
        QUORUM_CONFIG: config,
        REDIS_URL: redis.url,
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        ...(kind === 'bot' ? slackEnv : {}),
      }),
    },
  );
  await waitFor(
    () => {
      if (!proc.running) throw new Error(`quorum ${kind} exited: ${proc.describe()}`);
      return Promise.resolve(proc.logs().includes(`quorum ${kind}: `));
    },
    { what: `quorum ${kind} to start`, timeoutMs: 30_000, context: () => proc.logs() },
  );
  await waitFor(async () => (await blockedClients(redis)).length >= BLOCKED[kind], {
    what: `quorum ${kind} to wait for jobs (BZPOPMIN)`,
    timeoutMs: 15_000,
    context: () => proc.logs(),
  });
  return proc;
}

/** Runs `fn` on a short-lived connection of the test's own. */
async function withClient<T>(redis: RestartableRedis, fn: (c: Redis) => Promise<T>): Promise<T> {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await fn(c);
  } finally {
    c.disconnect();
  }
}

/** The ids of the clients blocked in BZPOPMIN. */
const blockedClients = (redis: RestartableRedis): Promise<string[]> =>
  withClient(redis, async (c) =>
    String(await c.call('CLIENT', 'LIST'))
      .split('\n')
      .filter((line) => /\bcmd=bzpopmin\b/.test(line))
      .map((line) => /\bid=(\d+)/.exec(line)?.[1] ?? ''),
  );

interface Stopped {
  exit: ProcessExit | undefined;
  ms: number;
  logs: string;
}

/** SIGTERM, then wait for the exit a little past the bound (SIGKILL if it is not there). */
async function terminate(proc: ServerProcess): Promise<Stopped> {
  const started = Date.now();
  proc.child.kill('SIGTERM');
  const exit = await Promise.race([proc.exited, sleep(EXIT_BOUND_MS + 1_000, undefined)]);
  const ms = Date.now() - started;
  const logs = proc.logs();
  if (!exit) await proc.kill();
  return { exit, ms, logs };
}

/** `cutShort`: the process may end a close still waiting on Redis (IDLE_CLOSE_MS after the last job). */
function expectQuickExit(what: string, stopped: Stopped, cutShort = false): void {
  const context = `${what}: ${stopped.exit ? `exited ${JSON.stringify(stopped.exit)}` : 'still running'} after ${stopped.ms} ms\n${stopped.logs}`;
  expect(stopped.exit, context).toEqual({ code: 0, signal: null });
  expect(stopped.ms, context).toBeLessThan(EXIT_BOUND_MS);
  // Otherwise the close itself ended: the process did not have to cut it short ("…; exiting.").
  if (!cutShort) expect(stopped.logs, context).not.toMatch(/exiting/);
}

/**
 * When Redis dies (ms after the process waits for jobs), whether and when it comes back,
 * and when SIGTERM lands (ms after the restart, or after the kill). Chosen to land
 * before, during and after the reconnect attempts (ioredis waits 50, 100, 200 … ms,
 * each plus up to 200 ms of jitter, so each connection comes back at its own moment).
 */
const SCHEDULE: { kill: number; restart: number | null; term: number }[] = [
  { kill: 0, restart: 0, term: 0 },
  { kill: 300, restart: 150, term: 20 },
  { kill: 1_500, restart: 600, term: 60 },
  { kill: 700, restart: 1_200, term: 150 },
  { kill: 100, restart: 400, term: 400 },
  { kill: 1_000, restart: 900, term: 1_000 },
  { kill: 400, restart: null, term: 300 },
  { kill: 1_200, restart: 1_500, term: 1_500 },
  { kill: 50, restart: null, term: 1_200 },
];

describe.each(['worker', 'bot'] as const)('stopping an idle quorum %s', (kind) => {
  let redis: RestartableRedis;
  beforeAll(async () => {
    redis = await startRestartableRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('exits 0 within 5 s of SIGTERM, Redis killed at a varying moment and restarted or not', async () => {
    for (const [i, step] of SCHEDULE.entries()) {
      if (!redis.up) await redis.restart();
      const proc = await startQuorum(kind, redis);
      await sleep(step.kill);
      await redis.kill();
      if (step.restart !== null) {
        await sleep(step.restart);
        await redis.restart();
      }
      await sleep(step.term);
      expectQuickExit(`step ${i} ${JSON.stringify(step)}`, await terminate(proc));
    }
  }, 240_000);

  it('exits 0 within 5 s when its blocking connections are cut off alone and kept out', async () => {
    if (!redis.up) await redis.restart();
    const proc = await startQuorum(kind, redis);
    try {
      await withClient(redis, async (c) => {
        const info = String(await c.info('clients'));
        const connected = Number(/connected_clients:(\d+)/.exec(info)?.[1]);
        const blocked = await blockedClients(redis);
        // No new connection is accepted once the blocked ones are gone (this one counts too).
        await c.call('CONFIG', 'SET', 'maxclients', String(connected - blocked.length));
        for (const id of blocked) await c.call('CLIENT', 'KILL', 'ID', id);
        const rejected = () =>
          c.info('stats').then((s) => Number(/rejected_connections:(\d+)/.exec(s)?.[1]));
        const before = await rejected();
        // The cut-off connections try to come back and are refused: they are between attempts.
        await waitFor(async () => (await rejected()) >= before + blocked.length, {
          what: 'the cut-off connections to be refused',
          context: () => proc.logs(),
        });
      });
      expectQuickExit('blocking connections kept out', await terminate(proc));
    } finally {
      await redis.kill();
    }
  }, 60_000);

  it('exits 0 within 5 s when Redis freezes (SIGSTOP) as it closes', async () => {
    if (!redis.up) await redis.restart();
    const proc = await startQuorum(kind, redis);
    try {
      redis.freeze();
      // Each connection is given up within a second or so; on a loaded machine their sum
      // may pass IDLE_CLOSE_MS, when the process ends the close.
      expectQuickExit('Redis frozen', await terminate(proc), true);
    } finally {
      await redis.kill();
    }
  }, 60_000);
});
