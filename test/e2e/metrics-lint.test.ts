/**
 * /metrics as Prometheus would scrape it passes `promtool check metrics`, for both
 * processes that serve it: the bot (`quorum start`, here in this process with real
 * Redis, etcd, BullMQ and the local Slack API) and `quorum worker` (the built binary).
 * Each is scraped after real work, so the labelled families have samples.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import { JobQueues } from '../../src/transport/queue/queues.js';
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
import { promtoolCheckMetrics } from '../support/promtool.js';
import { startQuorumBot, type QuorumBot } from '../support/quorum-bot.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { signSlack, slashCommandBody } from '../support/slack-request.js';
import { waitForJob } from './harness.js';
import { get, startWorkerProcess, terminalRequest, writeConfig } from './worker-process.js';

const SECRET = 'metrics-lint-secret';
const TOKEN = 'metrics-lint-alert-token-0123456789';
const CHANNEL = 'C0METRICS';
let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let bot: QuorumBot;

beforeAll(async () => {
  [etcd, redis, slack] = await Promise.all([startEtcd(), startRedis(), startSlackApi()]);
  const env = cleanEnv({
    ...etcd.env,
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: await tmpDir('quorum-metrics-snaps-'),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-metrics',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    QUORUM_APPROVERS: 'U0BOB',
    QUORUM_ALERT_CHANNEL: CHANNEL,
    QUORUM_ALERT_TOKEN: TOKEN,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
  });
  bot = await startQuorumBot(env, { clusters: ['prod'], outboxIntervalMs: 50 });
}, 60_000);

afterAll(async () => {
  await bot?.close();
  await Promise.all([slack?.close(), redis?.close(), etcd?.close()]);
});

const lint = async (scrape: string) => {
  const r = await promtoolCheckMetrics(scrape);
  return { code: r.code, output: r.output };
};

describe('/metrics passes promtool check metrics', () => {
  it('the bot, after a snapshot from Slack and an alert', async () => {
    const body = slashCommandBody({
      command: '/etcd-snapshot',
      user_id: 'U0ALICE',
      channel_id: CHANNEL,
      response_url: `${slack.url}response`,
    });
    const res = await fetch(`${bot.base}/slack/events`, {
      method: 'POST',
      body,
      headers: signSlack(body, { secret: SECRET }),
    });
    expect(res.status).toBe(200);
    const alert = alertPayload('lint', [{ alertname: 'MetricsLintProbe' }]);
    expect((await sendAlert(bot.base, alert, TOKEN)).status).toBe(202);
    await waitFor(
      () => Promise.resolve(slack.messages(CHANNEL).some((m) => /MetricsLintProbe/.test(m.text))),
      { what: "the alert's incident root in Slack" },
    );
    const scrape = async () => (await get(`${bot.base}/metrics`)).body;
    await waitFor(
      async () =>
        /quorum_jobs_completed_total\{kind="etcd.snapshot",cluster="prod"\} 1/.test(
          await scrape(),
        ) &&
        /quorum_slack_calls_total\{method="chat\.\w+",outcome="ok"\} [1-9]/.test(await scrape()),
      { what: 'the snapshot job and the Slack calls counted', timeoutMs: 30_000 },
    );
    const text = await scrape();
    expect(text).toMatch(/quorum_snapshot_last_size_bytes\{cluster="prod"\} [1-9]/);
    expect(text).toMatch(/quorum_process_cpu_seconds_total \d/);
    expect(await lint(text)).toEqual({ code: 0, output: '' });
  }, 60_000);

  it('quorum worker, after a ping and a snapshot', async () => {
    const dir = await tmpDir('quorum-metrics-worker-');
    const config = writeConfig(dir, {
      clusters: [{ name: 'c1', etcd: { endpoints: etcd.endpoints }, snapshotDir: `${dir}/snaps` }],
    });
    const w = await startWorkerProcess(['--cluster', 'c1'], {
      REDIS_URL: redis.url,
      QUORUM_CONFIG: config,
    });
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queues = new JobQueues({ connection: client, clusters: ['c1'] });
    try {
      const ping = await enqueueJob(queues, terminalRequest('quorum.ping', 'lint-1'));
      const snap = await enqueueJob(queues, terminalRequest('etcd.snapshot', 'lint-2'));
      await waitForJob(queues.queue('c1'), ping.jobId, ['completed']);
      await waitForJob(queues.queue('c1'), snap.jobId, ['completed']);
      const text = (await get(w.url('/metrics'))).body;
      expect(text).toMatch(/quorum_jobs_completed_total\{kind="quorum.ping",cluster="c1"\} 1/);
      expect(text).toMatch(/quorum_nodejs_active_handles\{type="\w+"\} [1-9]/);
      expect(await lint(text)).toEqual({ code: 0, output: '' });
    } finally {
      await w.proc.kill();
      await queues.close();
      client.disconnect();
    }
  }, 60_000);
});
