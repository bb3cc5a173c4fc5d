/**
 * `quorum start` as a process: workers for every configured cluster and the Slack
 * outbox in one process. A snapshot requested from a Slack thread reports its
 * progress by editing the root message, posts the report into the thread and ends
 * the root with the verdict — against the local Slack Web API (SLACK_API_URL).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
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
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { waitForJob } from './harness.js';
import { startThrottleProxy, type ThrottleProxy } from './throttle-proxy.js';
import { writeConfig } from './worker-process.js';

let redis: RedisServer;
let etcd: EtcdCluster;
let slack: SlackApi;
let proc: ServerProcess | undefined;

let proxy: ThrottleProxy;

beforeAll(async () => {
  [redis, etcd, slack] = await Promise.all([startRedis(), startEtcd(), startSlackApi()]);
  // c2's snapshot streams for about two seconds: long enough for a progress edit to be sent.
  await fillEtcd(etcd.endpoints, { bytes: 2 * 2 ** 20, valueSize: 256 * 1024 });
  const { port } = new URL(etcd.endpoints[0]!);
  proxy = await startThrottleProxy({ host: '127.0.0.1', port: Number(port) }, 1_000_000);
}, 60_000);

afterAll(async () => {
  await proc?.kill();
  await Promise.all([redis?.close(), etcd?.close(), slack?.close(), proxy?.close()]);
});

describe('quorum start (process)', () => {
  it('runs the jobs of every cluster and delivers progress and results to their Slack thread', async () => {
    const dir = await tmpDir('start');
    const config = writeConfig(dir, {
      clusters: [
        { name: 'c1', etcd: { endpoints: etcd.endpoints }, snapshotDir: `${dir}/c1` },
        { name: 'c2', etcd: { endpoints: [proxy.url] }, snapshotDir: `${dir}/c2` },
      ],
    });
    proc = new ServerProcess(process.execPath, [QUORUM_BIN, 'start'], {
      name: 'quorum start',
      env: cleanEnv({
        QUORUM_CONFIG: config,
        REDIS_URL: redis.url,
        SLACK_API_URL: slack.url,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'start-test-secret',
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      }),
    });
    await waitFor(() => Promise.resolve(/quorum start: .*clusters c1, c2/.test(proc!.logs())), {
      what: 'quorum start to start',
      timeoutMs: 20_000,
      context: () => proc!.logs(),
    });
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queues = new JobQueues({ connection: client, clusters: ['c1', 'c2'] });
    try {
      const root = (await fetch(`${slack.url}chat.postMessage`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel: 'C0START', text: 'Taking a snapshot of c2…' }),
      }).then((r) => r.json())) as { ts: string };
      const target = {
        kind: 'slack' as const,
        channel: 'C0START',
        threadTs: root.ts,
        rootTs: root.ts,
      };
      const snap = await enqueueJob(queues, {
        kind: 'etcd.snapshot',
        cluster: 'c2',
        requestId: 'start-1',
        requestedBy: 'U024BE7LH',
        target,
      });
      const ping = await enqueueJob(queues, {
        kind: 'quorum.ping',
        cluster: 'c1',
        requestId: 'start-2',
        requestedBy: 'U024BE7LH',
        target: { kind: 'slack', channel: 'C0PING' },
      });
      await waitForJob(queues.queue('c2'), snap.jobId, ['completed']);
      await waitForJob(queues.queue('c1'), ping.jobId, ['completed']);
      await expect
        .poll(() => slack.messages('C0START').find((m) => m.ts === root.ts)?.text, {
          timeout: 15_000,
        })
        .toMatch(/^etcd snapshot of \*c2\*, asked by <@U024BE7LH> — ✔ done$/);
      const rootMessage = slack.messages('C0START').find((m) => m.ts === root.ts)!;
      expect(rootMessage.history.join('\n')).toMatch(/— running: streaming from m0/);
      // The thread and the root's edits are separate outbox streams: either may land first.
      await expect
        .poll(() => slack.messages('C0START').filter((m) => m.threadTs === root.ts).length, {
          timeout: 15_000,
        })
        .toBe(1);
      const replies = slack.messages('C0START').filter((m) => m.threadTs === root.ts);
      expect(replies[0]!.text + JSON.stringify(replies[0]!.blocks)).toMatch(
        /c2-\d{8}T\d{6}Z-r\d+ saved and verified/,
      );
      await expect
        .poll(() => slack.messages('C0PING').map((m) => m.text), { timeout: 10_000 })
        .toEqual([expect.stringMatching(/ping of c1/)]);
    } finally {
      await queues.close();
      client.disconnect();
    }
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
