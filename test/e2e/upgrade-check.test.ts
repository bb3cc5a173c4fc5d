/**
 * The "done when": `/k8s-upgrade-check v1.32.0` answers in a thread — a signed
 * slash command to the real Bolt receiver, real Redis, etcd and worker, the real
 * @kubernetes/client-node against the Kubernetes API test server, and the Slack Web API
 * test server recording what is posted.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, quorum } from '../support/cli.js';
import {
  freePort,
  startEtcd,
  startKubeApi,
  startRedis,
  tmpDir,
  waitFor,
  type EtcdCluster,
  type KubeApiServer,
  type RedisServer,
} from '../support/index.js';
import { kubeadmCluster, seedCluster } from '../support/kube-cluster.js';
import { startQuorumBot, type QuorumBot } from '../support/quorum-bot.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { postSigned, slashCommandBody } from '../support/slack-request.js';

const SECRET = 'upgrade-check-signing-secret';
const CHANNEL = 'C0UPGRADE';

let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let api: KubeApiServer;
let bot: QuorumBot;

beforeAll(async () => {
  [etcd, redis, slack, api] = await Promise.all([
    startEtcd(),
    startRedis(),
    startSlackApi(),
    startKubeApi(),
  ]);
  seedCluster(api.store, kubeadmCluster());
  const dir = await tmpDir('quorum-upgrade-e2e-');
  const env = cleanEnv({
    ...etcd.env,
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: path.join(dir, 'snapshots'),
    KUBECONFIG: await api.writeKubeconfig(),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-upgrade',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
  });
  // The precheck wants a recent verified snapshot to go back to.
  const snap = await quorum(['etcd', 'snapshot'], env);
  expect(snap.code, snap.stderr).toBe(0);
  bot = await startQuorumBot(env, { clusters: ['prod'], outboxIntervalMs: 30 });
});

afterAll(async () => {
  await bot?.close();
  await Promise.all([slack?.close(), redis?.close(), etcd?.close(), api?.close()]);
});

const slash = (text: string) =>
  postSigned(
    bot.base,
    slashCommandBody({
      command: '/k8s-upgrade-check',
      text,
      user_id: 'U0ALICE',
      channel_id: CHANNEL,
      response_url: `${slack.url}response`,
    }),
    SECRET,
  );
const thread = (ts: string) =>
  slack
    .messages(CHANNEL)
    .filter((m) => m.threadTs === ts)
    .map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`)
    .join('\n');

describe('/k8s-upgrade-check', () => {
  it('posts a root message and answers in its thread with the verdict and the plan', async () => {
    const res = await slash('v1.32.0');
    expect(res.status).toBe(200);
    await waitFor(
      () =>
        Promise.resolve(
          slack.messages(CHANNEL).some((m) => !m.threadTs && /upgrade check/.test(m.text)),
        ),
      { what: 'the root message' },
    );
    const root = slack.messages(CHANNEL).find((m) => !m.threadTs && /upgrade check/.test(m.text))!;
    expect(root.text).toContain('<@U0ALICE>');
    await waitFor(() => Promise.resolve(/GO\* for 1\.32\.0/.test(thread(root.ts))), {
      what: 'the report in the thread',
      timeoutMs: 30_000,
      context: () => thread(root.ts),
    });
    const result = thread(root.ts);
    expect(result).not.toContain('NO-GO');
    expect(result).toContain('Plan: 1.31.4 → 1.32.0');
    expect(result).toContain('sudo kubeadm upgrade apply v1.32.0');
    expect(result).toContain('kubectl drain worker-1 --ignore-daemonsets');
    await waitFor(
      () =>
        Promise.resolve(/done|✔/.test(slack.messages(CHANNEL).find((m) => m.ts === root.ts)!.text)),
      { what: 'the root to show the outcome' },
    );
    expect(api.requestsTo('GET', '/version').length).toBeGreaterThan(0);
  });

  it('answers a bad version with an ephemeral usage message and an example', async () => {
    const posted = slack.messages(CHANNEL).length;
    const res = await slash('1.32');
    expect(res.status).toBe(200);
    const reply = JSON.parse(await res.text()) as { response_type: string; text: string };
    expect(reply.response_type).toBe('ephemeral');
    const said = JSON.stringify(reply);
    expect(said).toContain('is not a Kubernetes version');
    expect(said).toContain('e.g. v1.31.4');
    expect(said).toContain('/k8s-upgrade-check VERSION [CLUSTER]');
    expect(slack.messages(CHANNEL)).toHaveLength(posted);
  });
});
