/**
 * Redis behind Sentinel, all real and all on free ports of 127.0.0.1: a master, a
 * replica (`--replicaof`), and three sentinels (`redis-server CONF --sentinel`, quorum
 * 2, a master is down after 2 s) with their configuration files in a temporary
 * directory. Every server has a password and so do the sentinels, as an operator runs
 * them. A test kills the master (SIGKILL) and waits for the sentinels to promote the
 * replica. Persistence off; every process is killed and every directory removed at
 * close (and at test exit, like every child).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { removeDir, tmpDir, waitFor } from './processes.js';
import { ServerProcess } from './server-process.js';

export interface SentinelRedisOptions {
  /** The name the sentinels monitor the master under. Default `quorum-test`. */
  name?: string;
}

export interface SentinelRedis {
  name: string;
  password: string;
  sentinelPassword: string;
  sentinels: { host: string; port: number }[];
  /** REDIS_SENTINELS, REDIS_SENTINEL_MASTER, REDIS_PASSWORD, REDIS_SENTINEL_PASSWORD. */
  env: Record<string, string>;
  /** The master's port as a majority of the sentinels names it now. */
  masterPort(): Promise<number>;
  /** Resolves once the replica has every write the master had acknowledged when called. */
  replicated(): Promise<void>;
  /** SIGKILL the current master; returns its port. */
  killMaster(): Promise<number>;
  /** Waits until a majority of sentinels names another master than `oldPort`, and it is one. */
  failedOver(oldPort: number, timeoutMs?: number): Promise<number>;
  /** SIGSTOP every sentinel: they accept connections and answer nothing (SIGCONT: thawSentinels). */
  freezeSentinels(): void;
  thawSentinels(): void;
  /** The logs of every server, for a failure's context. */
  logs(): string;
  close(): Promise<void>;
}

const QUORUM = 2;
/** A master not answering this long is down (failover then takes about another second). */
const DOWN_AFTER_MS = 2_000;
const SENTINELS = 3;

/** A client to one server or sentinel: one attempt per command, no reconnect loop. */
function client(port: number, password: string): Redis {
  const c = new Redis({
    host: '127.0.0.1',
    port,
    password,
    lazyConnect: true,
    connectTimeout: 1_000,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  c.on('error', () => undefined);
  return c;
}

/** One command on a fresh connection; undefined when the server does not answer. */
async function ask(port: number, password: string, ...args: string[]): Promise<unknown> {
  const c = client(port, password);
  try {
    await c.connect();
    return await c.call(args[0]!, ...args.slice(1));
  } catch {
    return undefined;
  } finally {
    c.disconnect();
  }
}

const field = (info: unknown, name: string) =>
  new RegExp(`^${name}:(.*)$`, 'm').exec(typeof info === 'string' ? info : '')?.[1]?.trim();

/**
 * Five servers on five free ports: another process may take one between the check and the
 * bind, so a clash starts the whole rig again on new ports (as startRedis does, 3 tries).
 */
export async function startSentinelRedis(opts: SentinelRedisOptions = {}): Promise<SentinelRedis> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSentinelRedisOnce(opts);
    } catch (error) {
      const clash = /address already in use/i.test(String(error));
      if (!clash || attempt >= 3) throw error;
    }
  }
}

async function startSentinelRedisOnce(opts: SentinelRedisOptions): Promise<SentinelRedis> {
  const name = opts.name ?? 'quorum-test';
  const password = `redis-pw-${Math.random().toString(36).slice(2)}`;
  const sentinelPassword = `sentinel-pw-${Math.random().toString(36).slice(2)}`;
  const dir = await tmpDir('redis-sentinel');
  const servers = new Map<number, ServerProcess>();
  const [masterPort, replicaPort, ...sentinelPorts] = await Promise.all(
    Array.from({ length: 2 + SENTINELS }, () => freePort()),
  );
  const dataArgs = (port: number) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--dbfilename',
    `dump-${port}.rdb`,
    '--requirepass',
    password,
    '--masterauth',
    password,
  ];
  const start = (label: string, port: number, args: string[]) => {
    const proc = new ServerProcess('redis-server', args, { name: `${label} :${port}` });
    servers.set(port, proc);
    return waitFor(
      async () => {
        if (!proc.running) throw new Error(`${label} did not start: ${proc.describe()}`);
        const secret = sentinelPorts.includes(port) ? sentinelPassword : password;
        return (await ask(port, secret, 'PING')) === 'PONG';
      },
      { what: `${label} to answer PING on 127.0.0.1:${port}`, timeoutMs: 10_000, intervalMs: 20 },
    );
  };
  const logs = () =>
    [...servers.values()].map((s) => `--- ${s.name}\n${s.logs().slice(-1_500)}`).join('\n');
  const close = async () => {
    await Promise.all([...servers.values()].map((s) => s.kill()));
    await removeDir(dir);
  };
  try {
    await start('redis master', masterPort!, dataArgs(masterPort!));
    await start('redis replica', replicaPort!, [
      ...dataArgs(replicaPort!),
      '--replicaof',
      '127.0.0.1',
      String(masterPort),
    ]);
    await waitFor(
      async () =>
        field(await ask(replicaPort!, password, 'INFO', 'replication'), 'master_link_status') ===
        'up',
      { what: 'the replica to sync with the master', timeoutMs: 10_000, context: logs },
    );
    await Promise.all(
      sentinelPorts.map(async (port, i) => {
        const conf = path.join(dir, `sentinel-${i}.conf`);
        await writeFile(
          conf,
          sentinelConf({ port, name, masterPort: masterPort!, password, sentinelPassword, dir }),
        );
        await start(`redis sentinel ${i}`, port, [conf, '--sentinel']);
      }),
    );
    // Before a failover can happen, each sentinel must know the replica and the others.
    await waitFor(
      async () => {
        const views = await Promise.all(
          sentinelPorts.map(async (p) => {
            const others = await ask(p, sentinelPassword, 'SENTINEL', 'SENTINELS', name);
            const replicas = await ask(p, sentinelPassword, 'SENTINEL', 'REPLICAS', name);
            return (
              Array.isArray(others) &&
              others.length === SENTINELS - 1 &&
              Array.isArray(replicas) &&
              replicas.length === 1
            );
          }),
        );
        return views.every(Boolean);
      },
      {
        what: 'the sentinels to know each other and the replica',
        timeoutMs: 20_000,
        intervalMs: 200,
        context: logs,
      },
    );
  } catch (err) {
    await close();
    throw err;
  }

  const namedMaster = async (): Promise<number | undefined> => {
    const votes = new Map<number, number>();
    for (const p of sentinelPorts) {
      const reply = await ask(p, sentinelPassword, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
      const port = Array.isArray(reply) ? Number(reply[1]) : undefined;
      if (port) votes.set(port, (votes.get(port) ?? 0) + 1);
    }
    return [...votes.entries()].find(([, n]) => n >= QUORUM)?.[0];
  };
  const isMaster = async (port: number) =>
    field(await ask(port, password, 'INFO', 'replication'), 'role') === 'master';

  const currentMaster = async () => {
    const port = await namedMaster();
    if (!port) throw new Error(`no master named by ${QUORUM} sentinels\n${logs()}`);
    return port;
  };
  const sentinels = sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
  return {
    name,
    password,
    sentinelPassword,
    sentinels,
    env: {
      REDIS_SENTINELS: sentinels.map((s) => `${s.host}:${s.port}`).join(','),
      REDIS_SENTINEL_MASTER: name,
      REDIS_PASSWORD: password,
      REDIS_SENTINEL_PASSWORD: sentinelPassword,
    },
    masterPort: currentMaster,
    async replicated() {
      const master = await currentMaster();
      const offset = Number(
        field(await ask(master, password, 'INFO', 'replication'), 'master_repl_offset'),
      );
      const replica = master === masterPort ? replicaPort! : masterPort!;
      await waitFor(
        async () =>
          Number(field(await ask(replica, password, 'INFO', 'replication'), 'slave_repl_offset')) >=
          offset,
        {
          what: `the replica to reach offset ${offset}`,
          timeoutMs: 10_000,
          intervalMs: 5,
          context: logs,
        },
      );
    },
    async killMaster() {
      const port = await currentMaster();
      await servers.get(port)?.kill();
      return port;
    },
    async failedOver(oldPort, timeoutMs = 30_000) {
      let promoted: number | undefined;
      await waitFor(
        async () => {
          const port = await namedMaster();
          promoted =
            port !== undefined && port !== oldPort && (await isMaster(port)) ? port : undefined;
          return promoted !== undefined;
        },
        { what: 'Sentinel to promote the replica', timeoutMs, intervalMs: 100, context: logs },
      );
      return promoted!;
    },
    freezeSentinels: () => sentinelPorts.forEach((p) => servers.get(p)?.child.kill('SIGSTOP')),
    thawSentinels: () => sentinelPorts.forEach((p) => servers.get(p)?.child.kill('SIGCONT')),
    logs,
    close,
  };
}

function sentinelConf(o: {
  port: number;
  name: string;
  masterPort: number;
  password: string;
  sentinelPassword: string;
  dir: string;
}): string {
  return [
    `port ${o.port}`,
    'bind 127.0.0.1',
    `dir ${o.dir}`,
    'sentinel resolve-hostnames no',
    `sentinel monitor ${o.name} 127.0.0.1 ${o.masterPort} ${QUORUM}`,
    // Longer than /readyz's 2 s per check, so the outage shows there as a 503.
    `sentinel down-after-milliseconds ${o.name} ${DOWN_AFTER_MS}`,
    `sentinel failover-timeout ${o.name} 5000`,
    `sentinel auth-pass ${o.name} ${o.password}`,
    // The sentinels' own password, and the one they give each other.
    `requirepass ${o.sentinelPassword}`,
    `sentinel sentinel-pass ${o.sentinelPassword}`,
    '',
  ].join('\n');
}
