/**
 * A redis-server that a test can kill, restart on the same port, freeze (SIGSTOP) and
 * thaw — to put faults between the steps of a client's life (a reconnect, a close).
 * Persistence off, in a temporary directory; killed at test exit like every child.
 */
import { freePort } from './ports.js';
import { removeDir, tmpDir, waitFor } from './processes.js';
import { ping } from './redis.js';
import { ServerProcess } from './server-process.js';

export interface RestartableRedis {
  url: string;
  port: number;
  /** Whether a server is running now (it may be frozen). */
  readonly up: boolean;
  /** SIGKILL the server and wait until it is gone. */
  kill(): Promise<void>;
  /** Start a fresh, empty server on the same port (after kill) and wait for PING. */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing is answered. */
  freeze(): void;
  /** SIGCONT after freeze. */
  thaw(): void;
  close(): Promise<void>;
}

export async function startRestartableRedis(): Promise<RestartableRedis> {
  const port = await freePort();
  const dir = await tmpDir('redis-restartable');
  let server: ServerProcess | undefined;
  const start = async (): Promise<void> => {
    const proc = new ServerProcess(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat([
        '--dir',
        dir,
      ]),
      { name: 'redis-server (restartable)' },
    );
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
  const signal = (sig: NodeJS.Signals) => {
    if (server?.running) server.child.kill(sig);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get up() {
      return server?.running ?? false;
    },
    kill: async () => {
      signal('SIGCONT');
      await server?.kill();
    },
    restart: async () => {
      if (server?.running) throw new Error('restart: the server is still running (kill it first)');
      await start();
    },
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    close: async () => {
      signal('SIGCONT');
      await server?.kill();
      await removeDir(dir);
    },
  };
}
