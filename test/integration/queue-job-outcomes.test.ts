/**
 * Job outcomes that mean what they say, through the real worker path (real Redis, a real
 * three-member etcd, the local Slack API): a defrag that refuses because a member is down
 * is a failed job — in the metrics, in BullMQ, in the audit log and on its root message —
 * while its report still reaches the thread; a healthy defrag completes; and a read-only
 * check that finds the cluster critical completed its work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/state/audit.js';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import type { JobSummary } from '../../src/transport/queue/job-data.js';
import { tmpDir } from '../support/index.js';
import { approvedApproval } from '../support/approved.js';
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
const prefix = uniquePrefix('outcomes');

beforeAll(async () => {
  servers = await startTestServers({ etcdMembers: 3, slack: true });
  const config = testConfig(
    {
      clusters: [
        {
          name: 'c1',
          etcd: { endpoints: servers.etcd.endpoints },
          snapshotDir: await tmpDir('outcomes'),
        },
      ],
      check: { timeout: '2s' },
    },
    servers.env,
  );
  rt = await startTestRuntime(config, { prefix, clusters: ['c1'] });
});

afterAll(async () => {
  await rt?.close();
  await servers?.close();
});

/** Approved in the store; its job is enqueued by hand, not by the sweep. */
const approved = (id: string, action: string) =>
  approvedApproval(servers.client, prefix, id, action, { endIntent: true });

/** Enqueues `kind` with its result going to a fresh root message in `channel`. */
async function run(kind: string, requestId: string, channel: string, destructive: boolean) {
  const root = await rt.deps.slack!.chat.postMessage({ channel, text: `${kind}…` });
  const ts = String(root.ts);
  const { jobId } = await enqueueJob(rt.runtime.queues, {
    kind,
    cluster: 'c1',
    requestId,
    requestedBy: 'U1',
    target: { kind: 'slack', channel, threadTs: ts, rootTs: ts },
    ...(destructive ? { approval: await approved(`${prefix}-${requestId}`, kind) } : {}),
  });
  const job = await waitForJob(rt.runtime.queues.queue('c1'), jobId, ['completed', 'failed']);
  return { job, ts };
}

const metrics = () => rt.deps.metrics.registry.metrics();
/** The value of one sample in the Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
const finishedOutcome = async (action: string) =>
  (await readAudit(servers.client, prefix))
    .filter((e) => e.type === 'job.finished' && e.action === action)
    .map((e) => e.outcome);

describe('job outcomes', () => {
  it('a healthy defrag completes', async () => {
    const { job } = await run('etcd.defrag', 'healthy', 'C0OK', true);
    expect(await job.getState()).toBe('completed');
    expect((job.returnvalue as JobSummary).findings.map((f) => f.severity)).not.toContain('crit');
    const text = await metrics();
    expect(
      sample(text, 'quorum_job_duration_seconds_count', 'kind="etcd.defrag",outcome="completed"'),
    ).toBe(1);
    expect(sample(text, 'quorum_jobs_completed_total', 'kind="etcd.defrag",cluster="c1"')).toBe(1);
    expect(sample(text, 'quorum_jobs_failed_total', 'kind="etcd.defrag",cluster="c1"')).toBe(0);
    expect(await finishedOutcome('etcd.defrag')).toEqual(['ok']);
    await expect
      .poll(() => servers.slack.messages('C0OK')[0]?.text, { timeout: 10_000 })
      .toMatch(/— ✔ done$/);
  });

  it('a defrag refused because a member is down is a failed job, its report still posted', async () => {
    await servers.etcd.members[0]!.stop();
    try {
      const { job, ts } = await run('etcd.defrag', 'one-down', 'C0DOWN', true);
      expect(await job.getState()).toBe('failed');
      // Not retried: another attempt a minute later would find the same member down.
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/^refused: .*not started: .* is unhealthy/);
      const text = await metrics();
      expect(
        sample(text, 'quorum_job_duration_seconds_count', 'kind="etcd.defrag",outcome="failed"'),
      ).toBe(1);
      expect(sample(text, 'quorum_jobs_failed_total', 'kind="etcd.defrag",cluster="c1"')).toBe(1);
      // Only the healthy defrag above completed.
      expect(
        sample(text, 'quorum_job_duration_seconds_count', 'kind="etcd.defrag",outcome="completed"'),
      ).toBe(1);
      expect(sample(text, 'quorum_jobs_completed_total', 'kind="etcd.defrag",cluster="c1"')).toBe(
        1,
      );
      expect(sample(text, 'quorum_job_retries_total', 'kind="etcd.defrag",cluster="c1"')).toBe(0);
      expect(await finishedOutcome('etcd.defrag')).toEqual([
        'ok',
        expect.stringMatching(/^failed: refused: .*0 of 3 member\(s\) defragmented$/),
      ]);
      await expect
        .poll(() => servers.slack.messages('C0DOWN').map((m) => m.text), { timeout: 10_000 })
        .toEqual([
          expect.stringMatching(/^etcd defrag of \*c1\*, asked by U1 — ✖ failed$/),
          expect.stringMatching(/^etcd defrag of c1: /),
        ]);
      const result = servers.slack.messages('C0DOWN')[1]!;
      expect(result.threadTs).toBe(ts);
      expect(JSON.stringify(result.blocks)).toMatch(
        /Defrag stopped at .*not started: .* is unhealthy/,
      );
    } finally {
      await servers.etcd.members[0]!.start();
    }
  });

  it('a check that finds the cluster critical completed its work', async () => {
    await servers.etcd.members[1]!.stop();
    await servers.etcd.members[2]!.stop();
    try {
      const { job } = await run('etcd.check', 'two-down', 'C0CHECK', false);
      expect(await job.getState()).toBe('completed');
      const summary = job.returnvalue as JobSummary;
      expect(summary.couldNotRun).toBeUndefined();
      expect(summary.findings.find((f) => f.id === 'etcd.quorum')?.severity).toBe('crit');
      const text = await metrics();
      expect(
        sample(text, 'quorum_job_duration_seconds_count', 'kind="etcd.check",outcome="completed"'),
      ).toBe(1);
      expect(sample(text, 'quorum_jobs_failed_total', 'kind="etcd.check",cluster="c1"')).toBe(0);
      expect(await finishedOutcome('etcd.check')).toEqual(['crit']);
    } finally {
      await Promise.all([servers.etcd.members[1]!.start(), servers.etcd.members[2]!.start()]);
    }
  });
});
