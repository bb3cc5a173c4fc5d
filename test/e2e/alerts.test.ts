/**
 * Alertmanager → incident threads, end to end: the real webhook on the bot's HTTP
 * listener, real Redis, real etcd, a real worker, the local Slack Web API test server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertPayload, sendAlert } from '../support/alertmanager.js';
import { cleanEnv } from '../support/cli.js';
import {
  freePort,
  startEtcd,
  startRedis,
  tmpDir,
  waitFor,
  type EtcdCluster,
  type RedisServer,
} from '../support/index.js';
import { startQuorumBot, type QuorumBot } from '../support/quorum-bot.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { blockActionBody, postSigned, slashCommandBody } from '../support/slack-request.js';

const SECRET = 'alerts-signing-secret';
const TOKEN = 'alertmanager-bearer-token-0123456789';
const CHANNEL = 'C0ALERTS';
const PACE_MS = 40;

let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let env: Record<string, string>;
let main: QuorumBot;

const startReplica = async (workers: boolean) =>
  startQuorumBot(
    { ...env, PORT: String(await freePort()) },
    { clusters: workers ? ['prod'] : [], outboxIntervalMs: PACE_MS },
  );

beforeAll(async () => {
  [etcd, redis, slack] = await Promise.all([startEtcd(), startRedis(), startSlackApi()]);
  env = cleanEnv({
    ...etcd.env,
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: await tmpDir('quorum-alert-snaps-'),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-alerts',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    QUORUM_APPROVERS: 'U0BOB',
    QUORUM_ALERT_CHANNEL: CHANNEL,
    QUORUM_ALERT_TOKEN: TOKEN,
    HOST: '127.0.0.1',
  });
  main = await startReplica(true);
});

afterAll(async () => {
  await main?.close();
  await Promise.all([slack?.close(), redis?.close(), etcd?.close()]);
});

const roots = (pattern: RegExp) =>
  slack.messages(CHANNEL).filter((m) => !m.threadTs && pattern.test(m.text));
const threadOf = (ts: string) => slack.messages(CHANNEL).filter((m) => m.threadTs === ts);
const all = (ts: string) =>
  threadOf(ts)
    .map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`)
    .join('\n');
const rootOf = async (pattern: RegExp) => {
  await waitFor(() => Promise.resolve(roots(pattern).length > 0), { what: `a root ${pattern}` });
  return roots(pattern)[0]!;
};
/** Waits until the outbox has delivered everything queued so far. */
const settle = async () => {
  let last = -1;
  await waitFor(
    async () => {
      const n = slack.calls().length;
      const counts = await main.runtime.outbox.queue.getJobCounts('waiting', 'active', 'delayed');
      const idle = Object.values(counts).every((c) => c === 0) && n === last;
      last = n;
      return idle;
    },
    { what: 'the outbox to drain', intervalMs: 300, timeoutMs: 60_000 },
  );
};

describe('the Alertmanager webhook', () => {
  it('answers 401 without or with a wrong token, 400 naming the problem, 413 when too large', async () => {
    const good = alertPayload('auth', [{ alertname: 'AuthProbe' }]);
    expect((await sendAlert(main.base, good, undefined)).status).toBe(401);
    expect((await sendAlert(main.base, good, 'wrong-token-wrong-token')).status).toBe(401);
    const notJson = await sendAlert(main.base, '{"version":', TOKEN);
    expect(notJson.status).toBe(400);
    expect(notJson.text).toMatch(/not JSON/);
    const { groupKey: _, ...noKey } = good;
    const missing = await sendAlert(main.base, noKey, TOKEN);
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('payload.groupKey');
    const v3 = await sendAlert(main.base, { ...good, version: '3' }, TOKEN);
    expect(v3.status).toBe(400);
    expect(v3.text).toContain('version');
    const huge = alertPayload('huge', [
      { alertname: 'Huge', annotations: { description: 'x'.repeat(2 * 1024 * 1024) } },
    ]);
    expect((await sendAlert(main.base, huge, TOKEN)).status).toBe(413);
    await settle();
    expect(roots(/AuthProbe|Huge/)).toHaveLength(0);
  });
});

describe('incident threads', () => {
  it('one thread per group: repeats post nothing, joiners reply, resolved edits the root', async () => {
    const a = {
      alertname: 'DiskAlmostFull',
      labels: { instance: 'node-a:9100' },
      annotations: {
        summary: 'Disk on node-a is 95% full',
        runbook_url: 'https://runbooks.example/disk',
      },
    };
    const b = { alertname: 'DiskAlmostFull', labels: { instance: 'node-b:9100' } };
    const first = await sendAlert(main.base, alertPayload('disk', [a]), TOKEN);
    expect(first.status).toBe(202);
    const root = await rootOf(/DiskAlmostFull/);
    expect(root.text).toMatch(/Firing/);
    const blocks = JSON.stringify(root.blocks);
    expect(blocks).toContain('Disk on node-a is 95% full');
    expect(blocks).toContain('https://runbooks.example/disk');
    expect(blocks).toContain('http://prometheus.example:9090/graph');
    expect((await sendAlert(main.base, alertPayload('disk', [a]), TOKEN)).status).toBe(202);
    await settle();
    expect(roots(/DiskAlmostFull/)).toHaveLength(1);
    expect(threadOf(root.ts)).toHaveLength(0);

    await sendAlert(main.base, alertPayload('disk', [a, b], { truncatedAlerts: 3 }), TOKEN);
    await waitFor(() => Promise.resolve(/joined/.test(all(root.ts))), { what: 'the joined reply' });
    expect(all(root.ts)).toContain('node-b');
    expect(all(root.ts)).toMatch(/3 more alerts were left out/);

    await sendAlert(main.base, alertPayload('disk', [a, b], { status: 'resolved' }), TOKEN);
    await waitFor(() => Promise.resolve(/Resolved/.test(all(root.ts))), {
      what: 'the resolved reply',
    });
    await waitFor(
      () =>
        Promise.resolve(
          /Resolved after/.test(slack.messages(CHANNEL).find((m) => m.ts === root.ts)!.text),
        ),
      { what: 'the root edited to resolved' },
    );
    expect(roots(/DiskAlmostFull/)).toHaveLength(1);
  });

  it('keeps the thread across a bot restart, and reopens it when firing again soon', async () => {
    const alert = { alertname: 'ApiLatencyHigh', labels: { service: 'api' } };
    await sendAlert(main.base, alertPayload('latency', [alert]), TOKEN);
    const root = await rootOf(/ApiLatencyHigh/);
    await main.close();
    main = await startReplica(true);
    await sendAlert(main.base, alertPayload('latency', [alert], { status: 'resolved' }), TOKEN);
    await waitFor(
      () =>
        Promise.resolve(
          /Resolved after/.test(slack.messages(CHANNEL).find((m) => m.ts === root.ts)!.text),
        ),
      { what: 'the same root edited to resolved after the restart' },
    );
    await sendAlert(
      main.base,
      alertPayload('latency', [{ ...alert, startsAt: '2026-11-27T02:00:00Z' }]),
      TOKEN,
    );
    await waitFor(() => Promise.resolve(/Firing again/.test(all(root.ts))), {
      what: 'the reopened reply',
    });
    expect(roots(/ApiLatencyHigh/)).toHaveLength(1);
  });

  it('two bot replicas given the same notification make one thread', async () => {
    const second = await startReplica(false);
    try {
      const payload = alertPayload('replicas', [{ alertname: 'ReplicaProbe' }]);
      const answers = await Promise.all([
        sendAlert(main.base, payload, TOKEN),
        sendAlert(second.base, payload, TOKEN),
      ]);
      expect(answers.map((a) => a.status)).toEqual([202, 202]);
      await rootOf(/ReplicaProbe/);
      await settle();
      expect(roots(/ReplicaProbe/)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('a storm of 1,000 alerts in 100 groups makes 100 threads, paced per channel', async () => {
    const before = slack.calls('chat.postMessage').length;
    const sends = [];
    for (let g = 0; g < 100; g++) {
      for (let i = 0; i < 10; i++) {
        const alerts = Array.from({ length: i + 1 }, (_, k) => ({
          alertname: `Storm${g}`,
          labels: { instance: `n${k}` },
        }));
        sends.push(alertPayload(`storm-${g}`, alerts));
      }
    }
    const answers = await Promise.all(sends.map((p) => sendAlert(main.base, p, TOKEN)));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await waitFor(() => Promise.resolve(roots(/Storm\d+/).length >= 100), {
      what: '100 roots',
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    await settle();
    const names = new Set(roots(/Storm\d+/).map((m) => /Storm\d+/.exec(m.text)![0]));
    expect(names.size).toBe(100);
    expect(roots(/Storm\d+/)).toHaveLength(100);
    const posts = slack
      .calls('chat.postMessage')
      .slice(before)
      .filter((c) => c.body.channel === CHANNEL);
    // Pacing: the channel never gets more than one message per interval overall, nor in any
    // run of ten (arrival times carry HTTP jitter, so single gaps are not compared).
    const at = posts.map((c) => c.at);
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual((at.length - 1) * PACE_MS * 0.95);
    const tightest = Math.min(...at.slice(9).map((t, i) => t - at[i]!));
    expect(tightest).toBeGreaterThanOrEqual(9 * PACE_MS * 0.75);
  }, 180_000);
});

describe('runbooks from alerts', () => {
  it('etcdHighFsyncDurations: the diagnosis runs at once, the manual step waits for Done, then a post-mortem', async () => {
    await sendAlert(
      main.base,
      alertPayload('fsync', [{ alertname: 'etcdHighFsyncDurations', labels: { cluster: 'prod' } }]),
      TOKEN,
    );
    const root = await rootOf(/etcdHighFsyncDurations/);
    expect(JSON.stringify(root.blocks)).toContain('runs in the thread');
    await waitFor(
      () => Promise.resolve(/Step 1\/4/.test(all(root.ts)) && /etcd check/i.test(all(root.ts))),
      { what: 'the diagnosis in the thread', timeoutMs: 30_000 },
    );
    await waitFor(() => Promise.resolve(all(root.ts).includes('runbook.done')), {
      what: 'the manual step with its Done button',
      timeoutMs: 30_000,
    });
    expect(all(root.ts)).toContain('fio --rw=write');
    const done = async (user: string) => {
      const manual = threadOf(root.ts).filter((m) =>
        JSON.stringify(m.blocks ?? '').includes('runbook.done'),
      );
      const last = manual[manual.length - 1]!;
      const value = /"value":"([^"]+\|[^"]+)"/.exec(JSON.stringify(last.blocks))![1]!;
      const body = blockActionBody({
        actionId: 'runbook.done',
        value,
        userId: user,
        messageTs: last.ts,
        channel: CHANNEL,
        responseUrl: `${slack.url}response`,
      });
      const res = await postSigned(main.base, body, SECRET);
      expect(res.status).toBe(200);
    };
    await done('U0CAROL');
    await waitFor(() => Promise.resolve(/Done by <@U0CAROL>/.test(all(root.ts))), {
      what: 'the first manual step ticked off',
    });
    // The ticked-off message keeps its place in the runbook and loses its button.
    const ticked = JSON.stringify(
      threadOf(root.ts).find((m) => JSON.stringify(m.blocks ?? []).includes('Done by <@U0CAROL>'))!
        .blocks,
    );
    expect(ticked).toContain('Step 2/4');
    expect(ticked).not.toContain('runbook.done');
    await waitFor(() => Promise.resolve(/Step 3\/4/.test(all(root.ts))), {
      what: 'the second manual step',
      timeoutMs: 30_000,
    });
    await done('U0DAN');
    await waitFor(() => Promise.resolve(/Post-mortem summary/.test(all(root.ts))), {
      what: 'the post-mortem',
      timeoutMs: 60_000,
    });
    const text = all(root.ts);
    expect(text).toMatch(/Alert firing: etcdHighFsyncDurations/);
    expect(text).toMatch(/done by <@U0CAROL>/);
    expect(text).toMatch(/completed/);
  }, 120_000);
});

describe('runbooks started by hand', () => {
  it('/runbook run: a thread with the checklist; its action waits for someone other than the starter', async () => {
    const body = slashCommandBody({
      command: '/runbook',
      text: 'run etcd-fragmentation prod',
      user_id: 'U0BOB',
      channel_id: CHANNEL,
      response_url: `${slack.url}response`,
    });
    const res = await postSigned(main.base, body, SECRET);
    expect(res.status).toBe(200);
    const root = await rootOf(/Runbook .*etcd database highly fragmented/);
    expect(root.text).toContain('<@U0BOB>');
    // A healthy cluster is not fragmented: the defrag is skipped, and Run anyway asks for it.
    await waitFor(() => Promise.resolve(all(root.ts).includes('runbook.anyway')), {
      what: 'the skipped defrag with Run anyway',
      timeoutMs: 60_000,
    });
    expect(all(root.ts)).toMatch(/skipped: no member fragmented/);
    const skipped = threadOf(root.ts).find((m) =>
      JSON.stringify(m.blocks ?? []).includes('runbook.anyway'),
    )!;
    const anyway = blockActionBody({
      actionId: 'runbook.anyway',
      value: /"value":"([^"]+\|defrag)"/.exec(JSON.stringify(skipped.blocks))![1]!,
      userId: 'U0BOB',
      messageTs: skipped.ts,
      channel: CHANNEL,
      responseUrl: `${slack.url}response`,
    });
    expect((await postSigned(main.base, anyway, SECRET)).status).toBe(200);
    await waitFor(() => Promise.resolve(all(root.ts).includes('approval.approve')), {
      what: 'the defrag approval request',
      timeoutMs: 60_000,
    });
    const text = all(root.ts);
    expect(text).toMatch(/Runbook: etcd database highly fragmented/);
    expect(text).toMatch(/etcd check of prod/i);
    const request = threadOf(root.ts).find((m) =>
      JSON.stringify(m.blocks ?? []).includes('approval.approve'),
    )!;
    const id = /"value":"([^"]+)"/.exec(JSON.stringify(request.blocks))![1]!;
    // U0BOB asked for it, so U0BOB's approval would be one person's word: refused.
    const clickBody = blockActionBody({
      actionId: 'approval.approve',
      value: id,
      userId: 'U0BOB',
      messageTs: request.ts,
      channel: CHANNEL,
      responseUrl: `${slack.url}response`,
    });
    const before = slack.calls('response').length;
    await postSigned(main.base, clickBody, SECRET);
    await waitFor(() => Promise.resolve(slack.calls('response').length > before), {
      what: 'the ephemeral refusal',
    });
    expect(JSON.stringify(slack.calls('response').slice(before))).toMatch(
      /someone else has to approve/,
    );
    const jobs = await main.runtime.queues
      .queue('prod')
      .getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
    expect(jobs.filter((j) => j.name === 'etcd.defrag')).toHaveLength(0);
  }, 90_000);

  it('/runbook run with a bad parameter answers, posting nothing', async () => {
    const count = slack.messages(CHANNEL).length;
    const body = slashCommandBody({
      command: '/runbook',
      text: 'run etcd-no-leader prod color=red',
      user_id: 'U0BOB',
      channel_id: CHANNEL,
      response_url: `${slack.url}response`,
    });
    const before = slack.calls('response').length;
    await postSigned(main.base, body, SECRET);
    await waitFor(() => Promise.resolve(slack.calls('response').length > before), {
      what: 'the answer',
    });
    expect(JSON.stringify(slack.calls('response').slice(before))).toMatch(
      /color is not a parameter/,
    );
    expect(slack.messages(CHANNEL).length).toBe(count);
  });
});
