/**
 * Retries against real Redis: a failing job is retried after its kind's backoff and
 * its thread hears about it; one that recovers completes; one that keeps failing
 * ends failed after its attempts, with the reason in its thread and on its root message.
 * The job: listing snapshots from a snapshot "directory" that is a file (ENOTDIR),
 * which the test turns into a directory between attempts.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import { tmpDir } from '../support/index.js';
import { startTestServers, type TestServers } from '../support/test-servers.js';
import {
  startTestRuntime,
  testConfig,
  uniquePrefix,
  waitForJob,
  type TestRuntime,
} from '../e2e/harness.js';

let servers: TestServers;
let rt: TestRuntime;
let dir: string;

beforeAll(async () => {
  [servers, dir] = await Promise.all([startTestServers({ slack: true }), tmpDir('retry')]);
  const config = testConfig(
    {
      clusters: [
        {
          name: 'heals',
          etcd: { endpoints: ['http://127.0.0.1:9'] },
          snapshotDir: path.join(dir, 'heals'),
        },
        {
          name: 'broken',
          etcd: { endpoints: ['http://127.0.0.1:9'] },
          snapshotDir: path.join(dir, 'broken'),
        },
      ],
    },
    servers.env,
  );
  await Promise.all(
    ['heals', 'broken'].map((c) => writeFile(path.join(dir, c), 'not a directory')),
  );
  rt = await startTestRuntime(config, {
    prefix: uniquePrefix('retry'),
    clusters: ['heals', 'broken'],
  });
});

afterAll(async () => {
  await rt?.close();
  await servers?.close();
});

async function rootMessage(channel: string): Promise<string> {
  const root = await rt.deps.slack!.chat.postMessage({ channel, text: 'Listing snapshots…' });
  return String(root.ts);
}

describe('retries', () => {
  it('retries after the backoff and completes once the cause is gone', async () => {
    const ts = await rootMessage('C0HEAL');
    const { jobId } = await enqueueJob(rt.runtime.queues, {
      kind: 'etcd.snapshot.list',
      cluster: 'heals',
      requestId: 'heal-1',
      requestedBy: 'U1',
      target: { kind: 'slack', channel: 'C0HEAL', threadTs: ts, rootTs: ts },
    });
    const queue = rt.runtime.queues.queue('heals');
    // The first attempt fails (ENOTDIR) and says so on the root message.
    await expect
      .poll(() => servers.slack.messages('C0HEAL')[0]?.text, { timeout: 10_000 })
      .toMatch(/running: retrying in 2\.0s: .*ENOTDIR/);
    const failedAt = Date.now();
    await rm(path.join(dir, 'heals'));
    await mkdir(path.join(dir, 'heals'));
    const job = await waitForJob(queue, jobId, ['completed']);
    expect(job.attemptsMade).toBe(2);
    // The kind's backoff (fixed 2 s) separated the attempts.
    expect(job.processedOn! - failedAt).toBeGreaterThanOrEqual(1_000);
    await expect
      .poll(() => servers.slack.messages('C0HEAL')[0]?.text, { timeout: 10_000 })
      .toBe('etcd snapshot list of *heals*, asked by U1 — ▲ 1 warning');
    const replies = servers.slack.messages('C0HEAL').filter((m) => m.threadTs === ts);
    expect(replies.map((m) => m.text)).toEqual([expect.stringMatching(/No snapshots kept/)]);
  });

  it('fails for good after its attempts, saying why in the thread and on the root', async () => {
    const ts = await rootMessage('C0BROKEN');
    const { jobId } = await enqueueJob(rt.runtime.queues, {
      kind: 'etcd.snapshot.list',
      cluster: 'broken',
      requestId: 'broken-1',
      requestedBy: 'U1',
      target: { kind: 'slack', channel: 'C0BROKEN', threadTs: ts, rootTs: ts },
    });
    const job = await waitForJob(rt.runtime.queues.queue('broken'), jobId, ['failed']);
    expect(job.attemptsMade).toBe(2);
    expect(job.failedReason).toMatch(/ENOTDIR/);
    await expect
      .poll(() => servers.slack.messages('C0BROKEN').map((m) => m.text), { timeout: 10_000 })
      .toEqual([
        expect.stringMatching(/^etcd snapshot list of \*broken\*, asked by U1 — ✖ failed$/),
        expect.stringMatching(/^:x: etcd snapshots of broken failed: .*ENOTDIR/),
      ]);
    const metrics = await rt.deps.metrics.registry.metrics();
    expect(metrics).toMatch(
      /quorum_jobs_failed_total\{kind="etcd.snapshot.list",cluster="broken"\} 1/,
    );
    expect(metrics).toMatch(
      /quorum_job_retries_total\{kind="etcd.snapshot.list",cluster="broken"\} 1/,
    );
    expect(metrics).toMatch(
      /quorum_jobs_completed_total\{kind="etcd.snapshot.list",cluster="heals"\} 1/,
    );
  });
});
