/**
 * `npm run demo`: a three-member etcd cluster, a Redis, the playground (a local Slack
 * Web API plus a page that shows one channel) and `quorum start` pointed at all three,
 * everything on 127.0.0.1 and in temporary directories that close() removes.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcdCluster, type EtcdCluster } from '../test/support/etcd.js';
import { envWithout } from '../test/support/etcdctl.js';
import { freePort } from '../test/support/ports.js';
import { removeDir, tmpDir } from '../test/support/processes.js';
import { startRedis, type RedisServer } from '../test/support/redis.js';
import { ServerProcess } from '../test/support/server-process.js';
import { startSlackApi, type SlackApi } from '../test/support/slack-api.js';
import { playgroundRoutes } from './playground.js';
import type { DemoUser } from './quorum-requests.js';
import { seedEtcd } from './seed.js';

export const DEMO_USERS: DemoUser[] = [
  { id: 'U0ALICE', name: 'alice', role: 'asks for things; not an approver' },
  { id: 'U0BOB', name: 'bob', role: 'is an approver (in QUORUM_APPROVERS)' },
];
const CHANNEL = { id: 'C0DEMO', name: 'ops-demo' };
const CLUSTER = 'demo';

export interface DemoOptions {
  /** The playground's port; 0 picks a free one. */
  port: number;
  /** When the port is taken, take a free one instead of failing. */
  portFallback?: boolean;
  /** Progress lines for the terminal. */
  say?: (line: string) => void;
}

export interface Demo {
  /** `http://localhost:PORT/playground` */
  url: string;
  quorumUrl: string;
  dir: string;
  slack: SlackApi;
  /** Resolves if Quorum exits by itself (a crash), with its last output. */
  quorumExited: Promise<string>;
  close(): Promise<void>;
}

/** A program the demo needs is missing: the message says how to install it. */
export class MissingToolError extends Error {}

export function checkTools(pathVar = process.env.PATH ?? ''): void {
  const dirs = pathVar.split(path.delimiter).filter(Boolean);
  const missing = ['etcd', 'etcdctl', 'redis-server'].filter(
    (tool) => !dirs.some((dir) => existsSync(path.join(dir, tool))),
  );
  if (missing.length) {
    throw new MissingToolError(
      `demo: ${missing.join(', ')} not found; install with: sudo apt-get install etcd-server etcd-client redis-server (macOS: brew install etcd redis)`,
    );
  }
}

/** dist/src/main.js, from the built demo (dist/demo) or from its sources (demo/). */
export function quorumBin(): string {
  const candidates = [
    path.resolve(import.meta.dirname, '../src/main.js'),
    path.resolve(import.meta.dirname, '../dist/src/main.js'),
  ];
  const found = candidates.find((file) => file.includes(`dist${path.sep}`) && existsSync(file));
  if (!found) throw new MissingToolError('demo: dist/src/main.js is missing; run npm run build');
  return found;
}

export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const say = opts.say ?? (() => undefined);
  checkTools();
  const bin = quorumBin();
  const dir = await tmpDir('demo');
  const owned: { close(): Promise<unknown> }[] = [];
  const closeAll = async () => {
    for (const thing of owned.reverse()) await thing.close().catch(() => undefined);
    await removeDir(dir);
  };
  try {
    say('starting a three-member etcd cluster and Redis …');
    const [etcd, redis] = await Promise.all([startEtcdCluster(3), startRedis()]);
    owned.push(etcd, redis);
    const keys = await seedEtcd(etcd.endpoints);
    say(`etcd ${etcd.endpoints.join(', ')} (${keys} keys seeded); Redis ${redis.url}`);
    const secrets = { signingSecret: hex(), alertToken: hex() };
    const live: { quorumBase?: string } = {};
    const slack = await listen(opts, (port) =>
      startSlackApi({
        port,
        routes: playgroundRoutes({
          quorum: () =>
            live.quorumBase
              ? { base: live.quorumBase, channel: CHANNEL.id, ...secrets }
              : undefined,
          users: DEMO_USERS,
          channel: CHANNEL,
          cluster: CLUSTER,
          info: () => ({
            quorum: live.quorumBase ?? '',
            etcd: etcd.endpoints.join(', '),
            redis: redis.url,
            dir,
          }),
        }),
      }),
    );
    owned.push(slack);
    const quorumPort = await freePort();
    const quorum = startQuorum(bin, dir, {
      ...(await quorumEnv(dir, etcd, redis, slack)),
      SLACK_SIGNING_SECRET: secrets.signingSecret,
      QUORUM_ALERT_TOKEN: secrets.alertToken,
      PORT: String(quorumPort),
    });
    owned.push({ close: () => quorum.stop(10_000) });
    const quorumBase = `http://127.0.0.1:${quorumPort}`;
    live.quorumBase = quorumBase;
    await waitReady(quorumBase, quorum);
    let closing: Promise<void> | undefined;
    return {
      url: `http://localhost:${slack.port}/playground`,
      quorumUrl: quorumBase,
      dir,
      slack,
      quorumExited: quorum.exited.then(() => quorum.describe()),
      close: () => (closing ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

const hex = () => randomBytes(16).toString('hex');

async function listen(opts: DemoOptions, start: (port: number) => Promise<SlackApi>) {
  try {
    return await start(opts.port);
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    if (!inUse || !opts.portFallback) throw error;
    return start(0);
  }
}

async function quorumEnv(dir: string, etcd: EtcdCluster, redis: RedisServer, slack: SlackApi) {
  // No Kubernetes API in the demo: node steps must never reach a real cluster from ~/.kube/config.
  const kubeconfig = path.join(dir, 'kubeconfig.yaml');
  await writeFile(kubeconfig, KUBECONFIG, { mode: 0o600 });
  return {
    ...envWithout([
      'ETCDCTL_',
      'ETCD_',
      'QUORUM_',
      'SLACK_',
      'REDIS_URL',
      'KUBECONFIG',
      'PORT',
      'HOST',
    ]),
    ...etcd.env,
    KUBECONFIG: kubeconfig,
    QUORUM_CLUSTER: CLUSTER,
    QUORUM_SNAPSHOT_DIR: path.join(dir, 'snapshots'),
    QUORUM_APPROVERS: 'U0BOB',
    QUORUM_ALERT_CHANNEL: CHANNEL.id,
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-quorum-demo',
    SLACK_API_URL: slack.url,
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
}

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: demo, cluster: { server: 'https://127.0.0.1:9' } }]
users: [{ name: demo, user: { token: demo } }]
contexts: [{ name: demo, context: { cluster: demo, user: demo } }]
current-context: demo
`;

/** `quorum start` as an operator runs it; its log goes to DIR/quorum.log. */
function startQuorum(bin: string, dir: string, env: Record<string, string>): ServerProcess {
  const server = new ServerProcess(process.execPath, [bin, 'start'], { env, name: 'quorum start' });
  const logFile = createWriteStream(path.join(dir, 'quorum.log'));
  server.child.stdout?.pipe(logFile, { end: false });
  server.child.stderr?.pipe(logFile, { end: false });
  void server.exited.then(() => logFile.end());
  return server;
}

async function waitReady(base: string, quorum: ServerProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!quorum.running) throw new Error(`Quorum did not start: ${quorum.describe()}`);
    const ok = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1_000) })
      .then((res) => res.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`Quorum was not ready within 60 s: ${quorum.describe()}`);
}
