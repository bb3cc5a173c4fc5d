/**
 * `quorum worker` as an operator runs it: the built binary in a child process, with
 * a config file, REDIS_URL and a free port for /healthz, /readyz and /metrics.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import type { JobRequest } from '../../src/transport/queue/enqueue.js';
import { JobQueues } from '../../src/transport/queue/queues.js';
import { cleanEnv, QUORUM_BIN } from '../support/cli.js';
import {
  fillEtcd,
  freePort,
  ServerProcess,
  startEtcd,
  startRedis,
  tmpDir,
  waitFor,
  type EtcdCluster,
  type RedisServer,
} from '../support/index.js';
import { startThrottleProxy, type ThrottleProxy } from './throttle-proxy.js';

export interface WorkerProcess {
  proc: ServerProcess;
  port: number;
  url(path: string): string;
}

/** Writes `config` (an object; JSON is YAML) to `dir/quorum.json` and returns its path. */
export function writeConfig(
  dir: string,
  config: Record<string, unknown>,
  name = 'quorum.json',
): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

export async function startWorkerProcess(
  args: string[],
  env: Record<string, string>,
): Promise<WorkerProcess> {
  if (!existsSync(QUORUM_BIN)) throw new Error(`${QUORUM_BIN} is missing: run npm run build first`);
  const port = await freePort();
  const proc = new ServerProcess(process.execPath, [QUORUM_BIN, 'worker', ...args], {
    name: 'quorum worker',
    env: cleanEnv({ LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1', ...env }),
  });
  await waitFor(
    () => {
      if (!proc.running) throw new Error(`the worker exited: ${proc.describe()}`);
      return Promise.resolve(proc.logs().includes('quorum worker: clusters'));
    },
    { what: 'the worker to start', timeoutMs: 20_000, context: () => proc.logs() },
  );
  return { proc, port, url: (p) => `http://127.0.0.1:${port}${p}` };
}

/** GET, returning status and body (no throw on 4xx/5xx). */
export async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.text() };
}

/**
 * Redis, a real etcd filled with `fillBytes` (so a snapshot streams for a while behind a
 * throttling proxy), and helpers to configure and start workers against them.
 */
export function workerFixture(fillBytes = 2 * 2 ** 20) {
  const f = {
    redis: undefined as unknown as RedisServer,
    etcd: undefined as unknown as EtcdCluster,
    client: undefined as unknown as Redis,
    queues: undefined as unknown as JobQueues,
  };
  const proxies: ThrottleProxy[] = [];
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    [f.redis, f.etcd] = await Promise.all([startRedis(), startEtcd()]);
    await fillEtcd(f.etcd.endpoints, { bytes: fillBytes, valueSize: 256 * 1024 });
    f.client = new Redis(f.redis.url, { maxRetriesPerRequest: null });
    f.queues = new JobQueues({ connection: f.client, clusters: ['c1'] });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.proc.kill()));
    await f.queues?.close();
    f.client?.disconnect();
    await Promise.all([...proxies.map((p) => p.close()), f.redis?.close(), f.etcd?.close()]);
  });
  return {
    f,
    /** A config with `c1` reached through a proxy passing `bytesPerSecond` (`env`), or directly (`directEnv`). */
    async setup(name: string, bytesPerSecond: number, worker: Record<string, string>) {
      const dir = await tmpDir(name);
      const { port } = new URL(f.etcd.endpoints[0]!);
      const proxy = await startThrottleProxy(
        { host: '127.0.0.1', port: Number(port) },
        bytesPerSecond,
      );
      proxies.push(proxy);
      const snapshotDir = path.join(dir, 'snapshots');
      const cluster = (endpoint: string) => ({
        clusters: [{ name: 'c1', etcd: { endpoints: [endpoint] }, snapshotDir }],
        worker,
      });
      const env = { REDIS_URL: f.redis.url, QUORUM_CONFIG: writeConfig(dir, cluster(proxy.url)) };
      const directEnv = {
        ...env,
        QUORUM_CONFIG: writeConfig(dir, cluster(f.etcd.endpoints[0]!), 'direct.json'),
      };
      return { snapshotDir, env, directEnv };
    },
    async start(env: Record<string, string>): Promise<WorkerProcess> {
      const w = await startWorkerProcess(['--cluster', 'c1'], env);
      workers.push(w);
      return w;
    },
  };
}

export const terminalRequest = (kind: string, requestId: string): JobRequest => ({
  kind,
  cluster: 'c1',
  requestId,
  requestedBy: 'e2e',
  target: { kind: 'terminal' },
});

export const snapshotFiles = async (dir: string) =>
  (await readdir(dir).catch(() => [] as string[])).sort();

/** True while a snapshot streams into `dir` (its hidden temp file exists). */
export const streaming = async (dir: string) =>
  (await snapshotFiles(dir)).some((f) => f.endsWith('.partial'));
