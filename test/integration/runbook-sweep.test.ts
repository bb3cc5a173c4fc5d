/**
 * Invariant 3, no run waits for ever: the runbook sweep (app/runbooks/sweep.ts, run
 * through app/sweep.ts's SWEEPS as the sweeper runs it) ends what waits past its bound,
 * visibly in the run's thread, and leaves a run in bounds alone. Faults are injected
 * between the steps: an approval nobody decides, the worker's afterJob hook failing
 * once, the outbox failing once in the middle of a step's end. Real Redis, real BullMQ
 * (queues, a real cluster worker running etcd.check against a real etcd), the real
 * outbox consumer and the local Slack API; the sweep judges by an injected clock.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeOfJobEnd } from '../../src/app/runbooks/outcome.js';
import { createRunbookEngine, type RunbookEngine } from '../../src/app/runbooks/engine.js';
import type { RunbookEngineDeps } from '../../src/app/runbooks/context.js';
import { runSweeps, type SweepDeps } from '../../src/app/sweep.js';
import type { Config } from '../../src/config/schema.js';
import type { OutboxMessage, OutboxWriter } from '../../src/domain/outbox-message.js';
import type { RunbookRun } from '../../src/domain/runbook-run.js';
import { createRedis } from '../../src/runtime-deps.js';
import { approvalStore } from '../../src/state/approvals.js';
import { openRunIds, readRun } from '../../src/state/runbook-runs.js';
import { createMetrics } from '../../src/transport/http/metrics.js';
import { jobSink } from '../../src/transport/queue/enqueue.js';
import { jobBoundMs } from '../../src/transport/queue/job-bound.js';
import { createReporter } from '../../src/transport/queue/reporter.js';
import { startClusterWorker, type ClusterWorker } from '../../src/transport/queue/worker.js';
import {
  startEtcd,
  startRedis,
  tmpDir,
  waitFor,
  type EtcdCluster,
  type RedisServer,
} from '../support/index.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import {
  startTestRuntime,
  testConfig,
  testLogger,
  uniquePrefix,
  type TestRuntime,
} from '../e2e/harness.js';

const CHANNEL = 'C0SWEEP';
const MIN = 60_000;

const RUNBOOKS = {
  'sweep-approve.yaml': `id: sweep-approve
title: Defragment, then look again
steps:
  - { id: defrag, phase: recover, kind: action, title: Defragment etcd, job: etcd.defrag }
  - { id: look, phase: assess, kind: diagnose, title: Look again, job: etcd.check }
`,
  'sweep-check.yaml': `id: sweep-check
title: One check
steps:
  - { id: check, phase: assess, kind: diagnose, title: Check etcd, job: etcd.check }
`,
  'sweep-then-manual.yaml': `id: sweep-then-manual
title: Check, then look by hand
steps:
  - { id: check, phase: assess, kind: diagnose, title: Check etcd, job: etcd.check }
  - { id: by-hand, phase: recover, kind: manual, title: Look at the disks, commands: [df -h] }
`,
};

let redis: RedisServer;
let etcd: EtcdCluster;
let slack: SlackApi;
let rt: TestRuntime;
let client: ReturnType<typeof createRedis>;
let worker: ClusterWorker;
let config: Config;
const prefix = uniquePrefix('rbsweep');

/** Which engine the worker tells of a step's end, and whether its hook fails once first. */
const hook: { engine?: RunbookEngine; failOnce: boolean; failed: number } = {
  failOnce: false,
  failed: 0,
};

beforeAll(async () => {
  [redis, etcd, slack] = await Promise.all([startRedis(), startEtcd(), startSlackApi()]);
  const dir = await tmpDir('quorum-runbook-sweep-');
  await mkdir(path.join(dir, 'runbooks'));
  for (const [name, text] of Object.entries(RUNBOOKS))
    await writeFile(path.join(dir, 'runbooks', name), text);
  config = testConfig(
    {
      clusters: [{ name: 'c1', etcd: { endpoints: etcd.endpoints } }],
      runbooks: { dir: path.join(dir, 'runbooks') },
    },
    {
      REDIS_URL: redis.url,
      SLACK_API_URL: slack.url,
      SLACK_BOT_TOKEN: 'xoxb-sweep',
      QUORUM_APPROVERS: 'U0BOB',
    },
  );
  // The runtime: queues, outbox and its consumer; no sweeper of its own (the test sweeps).
  rt = await startTestRuntime(config, { prefix, sweep: false, clusters: [] });
  client = createRedis(redis.url, testLogger());
  hook.engine = rt.runtime.engine;
  worker = startClusterWorker({
    cluster: 'c1',
    connection: client,
    redis: client,
    prefix,
    config,
    etcdConnector: (c) => rt.deps.etcdConnector(c),
    kubeConnector: rt.deps.kubeConnector,
    reporter: createReporter({ outbox: rt.runtime.outbox, logger: testLogger(), stdout: () => {} }),
    afterJob: async (envelope, end) => {
      if (!envelope.runbook) return;
      if (hook.failOnce) {
        hook.failOnce = false;
        hook.failed += 1;
        throw new Error('injected: the after-job hook failed once');
      }
      await hook.engine?.jobEnded(envelope.runbook, outcomeOfJobEnd(end));
    },
    metrics: createMetrics({ defaultMetrics: false }),
    logger: testLogger(),
    workerName: 'sweep-test-worker',
    concurrency: 2,
    stalledIntervalMs: 30_000,
    shutdownTimeoutMs: 1_000,
    leaseTtlMs: 30_000,
    busyRetryMs: 200,
  });
}, 60_000);

afterAll(async () => {
  await worker?.close();
  client?.disconnect();
  await rt?.close();
  await Promise.all([slack?.close(), etcd?.close(), redis?.close()]);
});

/** The engine's dependencies as the runtime builds them, on this test's clock. */
function engineDeps(
  now: () => number,
  outbox: OutboxWriter = rt.runtime.outbox,
): RunbookEngineDeps {
  return {
    redis: client,
    prefix,
    outbox,
    jobs: jobSink(rt.runtime.queues),
    approvals: approvalStore({ redis: client, prefix }),
    runbooks: rt.runtime.engine.runbooks,
    config,
    logger: testLogger(),
    now,
    jobBoundMs: (kind, cluster) => jobBoundMs(config, kind, cluster),
  };
}

/** Every sweep of app/sweep.ts, as the sweeper runs them, `aheadMs` in the future. */
async function sweepAt(aheadMs: number): Promise<Record<string, number | string>> {
  const now = () => Date.now() + aheadMs;
  const deps: SweepDeps = {
    approvals: approvalStore({ redis: client, prefix, now }),
    jobs: jobSink(rt.runtime.queues),
    outbox: rt.runtime.outbox,
    redis: client,
    prefix,
    logger: testLogger(),
    now,
    runbooks: createRunbookEngine(engineDeps(now)),
  };
  return runSweeps(deps);
}

async function rootTs(text: string): Promise<string> {
  const res = await rt.deps.slack!.chat.postMessage({ channel: CHANNEL, text });
  return String(res.ts);
}

const thread = (ts: string) => slack.messages(CHANNEL).filter((m) => m.threadTs === ts);
const threadText = (ts: string) =>
  thread(ts)
    .map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`)
    .join('\n');
const inThread = (ts: string, what: string, re: RegExp) =>
  waitFor(() => Promise.resolve(re.test(threadText(ts))), {
    what,
    timeoutMs: 20_000,
    context: () => threadText(ts),
  });
const run = async (id: string) => (await readRun(client, prefix, id)) as RunbookRun;
const statuses = async (id: string) => (await run(id)).steps.map((s) => s.status);
const openRuns = () => openRunIds(client, prefix, { until: Date.now() + 365 * 24 * 60 * MIN });

describe('the runbook sweep', () => {
  it('leaves a waiting run in bounds alone, and ends an approval nobody gave: no step waits, the thread says so', async () => {
    const ts = await rootTs('runbook: defragment');
    const started = await rt.runtime.engine.start({
      runbook: 'sweep-approve',
      cluster: 'c1',
      params: {},
      thread: { channel: CHANNEL, ts },
      startedBy: 'U0ALICE',
      runId: 'expiring1',
    });
    await inThread(ts, 'the approval request', /approval\.approve/);
    expect(await statuses(started.id)).toEqual(['waiting', 'pending']);
    expect(await openRuns()).toContain('expiring1');

    // Within its approval's expiry (15 min): nothing is touched.
    const before = await run('expiring1');
    const messages = thread(ts).length;
    const early = await sweepAt(14 * MIN);
    expect(early['runbook-runs']).toBe(0);
    expect(await run('expiring1')).toEqual(before);
    await new Promise((r) => setTimeout(r, 300));
    expect(thread(ts)).toHaveLength(messages);

    // Past it, nobody having decided: the step expires, the run stops and says what to do.
    const late = await sweepAt(16 * MIN);
    expect(late['runbook-runs']).toBe(1);
    const ended = await run('expiring1');
    expect(ended.steps.map((s) => s.status)).toEqual(['expired', 'skipped']);
    expect(ended.steps.some((s) => s.status === 'waiting' || s.status === 'running')).toBe(false);
    expect(ended).toMatchObject({ outcome: 'stopped' });
    expect(ended.finishedAt).toBeDefined();
    await inThread(ts, 'the expiry explained', /approval expired/);
    await inThread(ts, 'the post-mortem', /Post-mortem summary/);
    expect(threadText(ts)).toContain('/runbook run sweep-approve c1');
    const checklist = slack
      .messages(CHANNEL)
      .find((m) => /Runbook: Defragment/.test(JSON.stringify(m.blocks ?? [])));
    await waitFor(() => Promise.resolve(/⌛/.test(JSON.stringify(checklist?.blocks ?? []))), {
      what: 'the checklist edited: the step expired',
      context: () => JSON.stringify(checklist?.blocks ?? []),
    });
    expect(await openRuns()).not.toContain('expiring1');

    // A second sweep finds nothing left to do.
    const again = await sweepAt(17 * MIN);
    expect(again['runbook-runs']).toBe(0);
    expect((await run('expiring1')).version).toBe(ended.version);
  }, 60_000);

  it('ends a step whose job ended while the after-job hook failed once: the run does not wait for ever', async () => {
    const ts = await rootTs('runbook: one check');
    hook.failOnce = true;
    await rt.runtime.engine.start({
      runbook: 'sweep-check',
      cluster: 'c1',
      params: {},
      thread: { channel: CHANNEL, ts },
      startedBy: 'U0ALICE',
      runId: 'hookfail1',
    });
    await waitFor(() => Promise.resolve(hook.failed === 1), { what: 'the hook to fail' });
    // The fault: the job is over, the run never heard; today it stays 'running' for ever.
    await new Promise((r) => setTimeout(r, 300));
    expect(await statuses('hookfail1')).toEqual(['running']);

    // Within the job's bound it is left alone; past it the sweep fails the step visibly.
    const bound = jobBoundMs(config, 'etcd.check', 'c1')!;
    expect((await sweepAt(bound))['runbook-runs']).toBe(0);
    expect(await statuses('hookfail1')).toEqual(['running']);
    expect((await sweepAt(bound + 11 * MIN))['runbook-runs']).toBe(1);
    const ended = await run('hookfail1');
    expect(ended.steps[0]).toMatchObject({ status: 'failed' });
    expect(ended.steps[0]?.summary).toMatch(/no result within/);
    expect(ended.finishedAt).toBeDefined();
    await inThread(ts, 'the step explained', /no result within/);
    await inThread(ts, 'the post-mortem', /Post-mortem summary/);
    expect(threadText(ts)).toMatch(/Check the job/);
    expect(await openRuns()).not.toContain('hookfail1');
  }, 60_000);

  it('walks on a run whose step ended while the outbox failed once: the next step starts', async () => {
    const ts = await rootTs('runbook: check then by hand');
    let failNext = true;
    const flaky: OutboxWriter = {
      push(message: OutboxMessage) {
        // The checklist edit after the step's end (the run's third version): the engine
        // stops there, with the step stored as done and the next one not started.
        if (failNext && message.id === 'rb-outboxfail1-list-v3') {
          failNext = false;
          return Promise.reject(new Error('injected: the outbox failed once'));
        }
        return rt.runtime.outbox.push(message);
      },
    };
    const engine = createRunbookEngine(engineDeps(Date.now, flaky));
    hook.engine = engine;
    try {
      await engine.start({
        runbook: 'sweep-then-manual',
        cluster: 'c1',
        params: {},
        thread: { channel: CHANNEL, ts },
        startedBy: 'U0ALICE',
        runId: 'outboxfail1',
      });
      await waitFor(async () => (await statuses('outboxfail1'))[0] === 'done', {
        what: 'the check stored as done',
      });
      await waitFor(() => Promise.resolve(!failNext), { what: 'the outbox to fail' });
      await new Promise((r) => setTimeout(r, 300));
      expect(await statuses('outboxfail1')).toEqual(['done', 'pending']); // stuck: nothing runs

      expect((await sweepAt(3 * MIN))['runbook-runs']).toBe(1);
      expect(await statuses('outboxfail1')).toEqual(['done', 'waiting']);
      await inThread(ts, 'the manual step with its Done button', /runbook\.done/);
      expect(threadText(ts)).toContain('df -h');
    } finally {
      hook.engine = rt.runtime.engine;
    }
  }, 60_000);
});
