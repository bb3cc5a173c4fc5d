/**
 * A Redis Cluster of one node: `--cluster-enabled yes` with all 16384 slots assigned to
 * it, on a free port in a temporary directory. It answers every key itself (no MOVED),
 * but keeps Redis Cluster's rule that one command or script touches one slot: a command
 * over keys of different slots is refused with CROSSSLOT, as on a real cluster.
 */
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { removeDir, tmpDir, waitFor } from './processes.js';
import { ServerProcess } from './server-process.js';

export interface RedisClusterNode {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startRedisClusterNode(): Promise<RedisClusterNode> {
  const port = await freePort();
  const dir = await tmpDir('redis-cluster');
  const proc = new ServerProcess(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat([
      '--dir',
      dir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
    ]),
    { name: 'redis-server (cluster node)' },
  );
  const close = async () => {
    await proc.kill();
    await removeDir(dir);
  };
  const admin = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 50 });
  admin.on('error', () => undefined);
  try {
    await waitFor(
      async () => {
        if (!proc.running) throw new Error(`redis-server did not start: ${proc.describe()}`);
        return (await admin.ping().catch(() => '')) === 'PONG';
      },
      { what: `the cluster node to answer on ${port}`, intervalMs: 20 },
    );
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    await waitFor(
      async () => /cluster_state:ok/.test(String(await admin.call('CLUSTER', 'INFO'))),
      { what: 'the one-node cluster to be ok', intervalMs: 50, context: () => proc.logs() },
    );
  } catch (err) {
    await close();
    throw err;
  } finally {
    admin.disconnect();
  }
  return { url: `redis://127.0.0.1:${port}`, port, close };
}
