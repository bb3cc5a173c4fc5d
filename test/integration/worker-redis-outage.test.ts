/**
 * The worker acts once through outages (issue 15, invariant 8), against a real
 * redis-server with an append-only file that the test kills while a job runs and
 * restarts on the same data after more than BullMQ's stalled interval (1 s here). The
 * job's lock and maintenance lease come back expired, BullMQ's stalled check re-delivers
 * the job — and the result recorded before reporting wins: one snapshot file for one
 * request, one defragmentation for one approval. A worker lost in the middle of a defrag
 * leaves its approval taken and no result: the re-delivered job does not act again, and
 * its thread says the outcome is unknown and what to do.
 */
import { readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import type { OutboxMessage, OutboxWriter } from '../../src/domain/outbox-message.js';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import { startEtcd, tmpDir, waitFor, type EtcdCluster } from '../support/index.js';
import { startDurableRedis, type DurableRedis } from '../support/durable-redis.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { approvedApproval } from '../support/approved.js';
import { startWorkerRig, testConfig, waitForJob, type WorkerRig } from '../e2e/harness.js';

const STALLED_MS = 1_000;

let redis: DurableRedis;
let etcd: EtcdCluster;
let slack: SlackApi;
let client: Redis;
let config: Config;
let snapshotDir: string;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  [redis, etcd, slack, snapshotDir] = await Promise.all([
    startDurableRedis(),
    startEtcd(),
    startSlackApi(),
    tmpDir('outage-snapshots'),
  ]);
  client = new Redis(redis.url, { maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  config = testConfig(
    {
      clusters: [{ name: 'c1', etcd: { endpoints: etcd.endpoints }, snapshotDir }],
      // Longer than the outage: a held snapshot stream is not "stalled" meanwhile.
      check: { timeout: '10s' },
    },
    { REDIS_URL: redis.url, SLACK_API_URL: slack.url, SLACK_BOT_TOKEN: 'xoxb-test' },
  );
});

afterEach(async () => {
  for (const part of open.splice(0).reverse()) await part.close();
});

afterAll(async () => {
  client?.disconnect();
  await Promise.all([redis?.close(), etcd?.close(), slack?.close()]);
});

async function rig(what: string): Promise<WorkerRig> {
  const r = await startWorkerRig(config, what);
  open.push(r);
  return r;
}

const worker = (r: WorkerRig, outbox?: OutboxWriter) =>
  r.startWorker({ stalledIntervalMs: STALLED_MS, ...(outbox ? { outbox } : {}) });

const approval = (prefix: string, id: string) =>
  approvedApproval(client, prefix, id, 'etcd.defrag');

async function enqueue(
  r: WorkerRig,
  kind: string,
  channel: string,
  approved?: { id: string; approvedBy: string },
) {
  const root = await r.rt.deps.slack!.chat.postMessage({ channel, text: `${kind}…` });
  const ts = String(root.ts);
  const { jobId } = await enqueueJob(r.rt.runtime.queues, {
    kind,
    cluster: 'c1',
    requestId: `${kind}-${channel}`,
    requestedBy: 'U1',
    target: { kind: 'slack', channel, threadTs: ts, rootTs: ts },
    ...(approved ? { approval: approved } : {}),
  });
  return { jobId, ts };
}

/** The held call was made (the job runs), or a failure that says it was not. */
async function reached(gate: { reached: Promise<void> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the job never reached the held call')), 20_000);
  });
  try {
    await Promise.race([gate.reached, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Redis goes away while the held call runs, longer than the stalled interval, and comes back. */
async function outageDuring(
  gate: { reached: Promise<void>; open(): void },
  ended: () => Promise<boolean>,
) {
  await reached(gate);
  await redis.kill();
  try {
    await sleep(2.5 * STALLED_MS); // the job's lock and the maintenance lease expire meanwhile
    gate.open();
    // The operation ends while Redis is still down: its result waits to be recorded.
    await waitFor(ended, { what: 'the operation to end', timeoutMs: 10_000, intervalMs: 20 });
    await sleep(300);
  } finally {
    await redis.restart();
  }
}

const snapshotFiles = async () =>
  (await readdir(snapshotDir)).filter((f) => /\.db(\.gz)?$/.test(f));
const threadReplies = (channel: string, ts: string) =>
  slack.messages(channel).filter((m) => m.threadTs === ts);

describe('a Redis outage longer than the stalled interval while a job runs', () => {
  it('a snapshot job: one snapshot file for one request, its report posted once', async () => {
    const r = await rig('outage-snap');
    worker(r);
    const gate = r.etcd.hold('snapshot');
    const { jobId, ts } = await enqueue(r, 'etcd.snapshot', 'C0SNAP');
    await outageDuring(gate, async () => (await snapshotFiles()).length > 0);
    const job = await waitForJob(r.rt.runtime.queues.queue('c1'), jobId, ['completed', 'failed']);
    // Re-delivered by the stalled check, the job found its recorded result and did not run again.
    expect(r.etcd.count('snapshot')).toBe(1);
    expect(await snapshotFiles()).toHaveLength(1);
    expect(await job.getState()).toBe('completed');
    await expect.poll(() => threadReplies('C0SNAP', ts).length, { timeout: 10_000 }).toBe(1);
    expect(threadReplies('C0SNAP', ts)[0]!.text).toMatch(/^etcd snapshot of c1: /);
  }, 60_000);

  it('an approved defrag defragments once', async () => {
    const r = await rig('outage-defrag');
    worker(r);
    const gate = r.etcd.hold('defragment');
    const approved = await approval(r.prefix, `${r.prefix}-d`);
    const { jobId, ts } = await enqueue(r, 'etcd.defrag', 'C0DEFRAG', approved);
    // One small member: the defragmentation and the status read after it take milliseconds.
    await outageDuring(gate, () => sleep(1_000).then(() => true));
    const job = await waitForJob(r.rt.runtime.queues.queue('c1'), jobId, ['completed', 'failed']);
    expect(r.etcd.count('defragment')).toBe(1);
    expect(await job.getState()).toBe('completed');
    await expect.poll(() => threadReplies('C0DEFRAG', ts).length, { timeout: 10_000 }).toBe(1);
    expect(threadReplies('C0DEFRAG', ts)[0]!.text).toMatch(/^etcd defrag of c1: /);
  }, 60_000);
});

describe('a worker lost while it defragments', () => {
  it('leaves the approval used: the re-delivered job does not act, and says the outcome is unknown', async () => {
    const r = await rig('lost-worker');
    let dead = false;
    const a = worker(r, {
      push: (m: OutboxMessage) =>
        dead ? Promise.reject(new Error('this worker is gone')) : r.rt.runtime.outbox.push(m),
    });
    const gate = r.etcd.hold('defragment');
    const approved = await approval(r.prefix, `${r.prefix}-d`);
    const { jobId, ts } = await enqueue(r, 'etcd.defrag', 'C0LOST', approved);
    await reached(gate);
    // Worker A is lost: it stops renewing its job's lock and can no longer reach Redis.
    dead = true;
    await a.worker.worker.close(true);
    a.redis.disconnect();
    try {
      worker(r); // worker B takes the job over once its lock expired
      const job = await waitForJob(r.rt.runtime.queues.queue('c1'), jobId, ['completed', 'failed']);
      expect(r.etcd.count('defragment')).toBe(1);
      expect(await job.getState()).toBe('failed');
      expect(job.failedReason).toMatch(/interrupted .*outcome is unknown/);
      await expect
        .poll(() => threadReplies('C0LOST', ts).map((m) => m.text), { timeout: 10_000 })
        .toEqual([
          expect.stringMatching(
            /^:x: etcd defrag of c1 failed: an earlier attempt \(attempt 1 at .*\) started it and was interrupted .*its outcome is unknown; it is not run again on the same approval\. Run \/etcd-check c1 to see the cluster's state, then ask for the etcd defrag again if it is still needed\.$/,
          ),
        ]);
      // The root's verdict edit is its own stream: it takes the channel's next turn after the reply.
      await expect
        .poll(() => slack.messages('C0LOST')[0]!.text, { timeout: 10_000 })
        .toMatch(/— ✖ failed$/);
    } finally {
      gate.open(); // worker A's defragmentation ends; nothing it does reaches Redis or Slack
    }
  }, 60_000);
});
