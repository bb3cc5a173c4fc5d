/**
 * A redis-server that keeps its data across a kill: append-only file on, fsynced on
 * every write, in a temporary directory. A test kills it (SIGKILL, as a crash or a lost
 * machine) and restarts it on the same port with the same data, so that keys with a
 * TTL — BullMQ's job locks, Quorum's leases — come back expired, as after a real outage.
 */
import { freePort } from './ports.js';
import { removeDir, tmpDir, waitFor } from './processes.js';
import { ping } from './redis.js';
import { ServerProcess } from './server-process.js';

export interface DurableRedis {
  url: string;
  port: number;
  /** SIGKILL the server and wait until it is gone. */
  kill(): Promise<void>;
  /** Start it again on the same port, on the same data, and wait for PING. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startDurableRedis(): Promise<DurableRedis> {
  const port = await freePort();
  const dir = await tmpDir('redis-durable');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
  const persistence = ['--appendonly', 'yes', '--appendfsync', 'always'];
  let server: ServerProcess | undefined;
  const start = async (): Promise<void> => {
    const proc = new ServerProcess('redis-server', [...args, ...persistence], {
      name: 'redis-server (durable)',
    });
    server = proc;
    await waitFor(
      async () => {
        if (!proc.running) throw new Error(`redis-server did not start: ${proc.describe()}`);
        return ping(port);
      },
      { what: `redis-server to answer PING on 127.0.0.1:${port}`, intervalMs: 10 },
    );
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: async () => void (await server?.kill()),
    restart: async () => {
      if (server?.running) throw new Error('restart: the server is still running (kill it first)');
      await start();
    },
    close: async () => {
      await server?.kill();
      await removeDir(dir);
    },
  };
}
