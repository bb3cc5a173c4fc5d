/**
 * Redis Cluster keeps each command and script to one hash slot (issue 19). With the
 * config key `redis.prefix: '{quorum}'` (a hash tag) every key BullMQ and Quorum write
 * hashes to one slot. Against a one-node Redis Cluster (test/support/redis-cluster-node.ts:
 * every slot on one node, so no redirections, but CROSSSLOT enforced as on a real
 * cluster), the built `quorum worker` runs a job end to end — BullMQ's scripts, the
 * result and audit scripts, the Slack outbox — and `quorum audit-log` reads it back.
 * What this does not test: a cluster of several nodes (MOVED/ASK redirections), which
 * needs a Cluster client; Quorum opens plain connections only.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/state/audit.js';
import { jobResultKey } from '../../src/state/job-results.js';
import { enqueueJob, type JobRequest } from '../../src/transport/queue/enqueue.js';
import { JobQueues } from '../../src/transport/queue/queues.js';
import { quorum } from '../support/cli.js';
import { tmpDir } from '../support/index.js';
import { startRedisClusterNode, type RedisClusterNode } from '../support/redis-cluster-node.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { waitForJob } from '../e2e/harness.js';
import { startWorkerProcess, writeConfig, type WorkerProcess } from '../e2e/worker-process.js';

const TAG = '{quorum}';

let node: RedisClusterNode;
let slack: SlackApi;
let client: Redis;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  [node, slack] = await Promise.all([startRedisClusterNode(), startSlackApi()]);
  client = new Redis(node.url, { maxRetriesPerRequest: null });
  client.on('error', () => undefined);
});

afterAll(async () => {
  await worker?.proc.kill();
  client?.disconnect();
  await Promise.all([node?.close(), slack?.close()]);
});

const ping = (requestId: string, target: JobRequest['target']): JobRequest => ({
  kind: 'quorum.ping',
  cluster: 'c1',
  requestId,
  requestedBy: 'U0CLUSTER',
  target,
});

describe('Quorum on Redis Cluster with a hash-tagged prefix', () => {
  it('needs the hash tag: with the default prefix the cluster refuses BullMQ (CROSSSLOT)', async () => {
    const queues = new JobQueues({ connection: client, clusters: ['c1'], prefix: 'quorum' });
    try {
      await expect(enqueueJob(queues, ping('plain', { kind: 'terminal' }))).rejects.toThrow(
        /CROSSSLOT/,
      );
    } finally {
      await queues.close();
    }
  });

  it('with redis.prefix {quorum}: a worker runs a job, records it, reports it; every key in one slot', async () => {
    await client.flushall(); // the keys the refused attempt above left (BullMQ's meta hash)
    const dir = await tmpDir('cluster-prefix');
    const env = {
      REDIS_URL: node.url,
      QUORUM_CONFIG: writeConfig(dir, {
        clusters: [
          { name: 'c1', etcd: { endpoints: ['http://127.0.0.1:2379'] }, snapshotDir: dir },
        ],
        redis: { prefix: TAG },
      }),
      SLACK_API_URL: slack.url,
      SLACK_BOT_TOKEN: 'xoxb-cluster',
    };
    worker = await startWorkerProcess(['--cluster', 'c1'], env);
    const queues = new JobQueues({ connection: client, clusters: ['c1'], prefix: TAG });
    try {
      const root = (await fetch(`${slack.url}chat.postMessage`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel: 'C0CLUSTER', text: 'ping…' }),
      }).then((r) => r.json())) as { ts: string };
      const target = {
        kind: 'slack' as const,
        channel: 'C0CLUSTER',
        threadTs: root.ts,
        rootTs: root.ts,
      };
      const { jobId } = await enqueueJob(queues, ping('tagged', target));
      await waitForJob(queues.queue('c1'), jobId, ['completed']);
      await expect
        .poll(() => slack.messages('C0CLUSTER').filter((m) => m.threadTs === root.ts).length, {
          timeout: 15_000,
        })
        .toBe(1);
      expect(await client.exists(jobResultKey(TAG, jobId))).toBe(1);
      const audit = (await readAudit(client, TAG)).filter((e) => e.params?.job === jobId);
      expect(audit.map((e) => e.type)).toEqual(['job.started', 'job.finished']);
      const cli = await quorum(['audit-log', '--json'], env);
      expect(cli.code).toBe(0);
      expect(cli.stdout).toContain(jobId);

      const keys = await client.keys('*');
      expect(keys.filter((k) => !k.startsWith(`${TAG}:`))).toEqual([]);
      const slots = new Set(
        await Promise.all(keys.map((k) => client.call('CLUSTER', 'KEYSLOT', k))),
      );
      expect(slots.size).toBe(1);
    } finally {
      await queues.close();
    }
  }, 60_000);
});
