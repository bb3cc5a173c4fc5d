/**
 * A throwaway redis-server on a free port, persistence off, in a temporary directory.
 * With QUORUM_TEST_REDIS_URL set, that server is used instead and close() does nothing.
 */
import net from 'node:net';
import { freePort } from './ports.js';
import { removeDir, tmpDir, waitFor } from './processes.js';
import { ServerProcess } from './server-process.js';

export interface RedisServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const external = process.env.QUORUM_TEST_REDIS_URL;
  if (external) {
    const port = Number(new URL(external).port || 6379);
    return { url: external, port, close: () => Promise.resolve() };
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const dir = await tmpDir('redis');
    const server = new ServerProcess(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat([
        '--dir',
        dir,
      ]),
      { name: 'redis-server' },
    );
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        await server.stop();
        await removeDir(dir);
      })();
      return closing;
    };
    try {
      await waitFor(
        async () => {
          if (!server.running) throw new Error(`redis-server did not start: ${server.describe()}`);
          return ping(port);
        },
        {
          what: `redis-server to answer PING on 127.0.0.1:${port}`,
          timeoutMs: 10_000,
          intervalMs: 10,
        },
      );
      return { url: `redis://127.0.0.1:${port}`, port, close };
    } catch (error) {
      await close();
      const clash = /address already in use/i.test(server.logs());
      if (!clash || attempt >= 3) throw error;
    }
  }
}

/** True when the server at 127.0.0.1:port answers PING with +PONG (raw RESP, no client). */
export function ping(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
