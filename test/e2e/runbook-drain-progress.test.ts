/**
 * A drain run as a step of the Node NotReady runbook (approved in its incident thread)
 * tells the thread where it stands while it runs: one reply, `drain of prod: evicted
 * N/M, K blocked by <budget>`, posted once and edited in place — never a new message per
 * eviction. The real webhook, Redis, etcd, worker and outbox; @kubernetes/client-node
 * against the Kubernetes API test server, and the Slack Web API test server.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
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
import { kube, startKubeApi, type KubeApiServer } from '../support/kube-api.js';
import { startQuorumBot, type QuorumBot } from '../support/quorum-bot.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { blockActionBody, postSigned } from '../support/slack-request.js';

const SECRET = 'drain-progress-signing-secret';
const TOKEN = 'alertmanager-bearer-token-drain-progress';
const CHANNEL = 'C0DRAINPROG';
const WEB_PODS = 5;

let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let api: KubeApiServer;
let quorum: QuorumBot;
let base: string;

beforeAll(async () => {
  [etcd, redis, slack, api] = await Promise.all([
    startEtcd(),
    startRedis(),
    startSlackApi(),
    startKubeApi(),
  ]);
  const web = Array.from({ length: WEB_PODS }, (_, i) =>
    kube.pod({
      name: `web-${i}`,
      namespace: 'shop',
      node: 'worker-1',
      owner: { kind: 'ReplicaSet', name: 'web-7d' },
      labels: { app: 'web' },
    }),
  );
  api.store.add(
    kube.node({ name: 'cp-1', roles: ['control-plane'] }),
    kube.node({ name: 'worker-1', ready: 'Unknown', readySinceMs: 10 * 60_000 }),
    kube.nodeLease('cp-1', 5_000),
    kube.nodeLease('worker-1', 10 * 60_000),
    ...kube.controlPlanePods('cp-1'),
    ...web,
    kube.pod({
      name: 'db-0',
      namespace: 'shop',
      node: 'worker-1',
      owner: { kind: 'StatefulSet', name: 'db' },
      labels: { app: 'db' },
    }),
    kube.pdb({
      name: 'db-pdb',
      namespace: 'shop',
      matchLabels: { app: 'db' },
      disruptionsAllowed: 0,
    }),
  );
  const dir = await tmpDir('quorum-drain-progress-e2e-');
  const configFile = path.join(dir, 'quorum.yaml');
  // One eviction at a time: the drain's standing changes after each pod.
  await writeFile(
    configFile,
    'maintenance:\n  drainRetryInterval: 100ms\n  drainRetryLimit: 1s\n  drainConcurrency: 1\n',
  );
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = cleanEnv({
    ...etcd.env,
    QUORUM_CONFIG: configFile,
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: dir,
    KUBECONFIG: await api.writeKubeconfig(),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-drain-progress',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    QUORUM_APPROVERS: 'U0BOB',
    QUORUM_ALERT_CHANNEL: CHANNEL,
    QUORUM_ALERT_TOKEN: TOKEN,
    PORT: String(port),
    HOST: '127.0.0.1',
  });
  quorum = await startQuorumBot(env, { clusters: ['prod'], outboxIntervalMs: 30 });
});

afterAll(async () => {
  await quorum?.close();
  await Promise.all([slack?.close(), redis?.close(), etcd?.close(), api?.close()]);
});

const thread = (ts: string) => slack.messages(CHANNEL).filter((m) => m.threadTs === ts);
const text = (ts: string) =>
  thread(ts)
    .map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`)
    .join('\n');
const approvalFor = (ts: string, job: RegExp) => {
  const msg = thread(ts).find((m) => {
    const blocks = JSON.stringify(m.blocks ?? []);
    return blocks.includes('approval.approve') && job.test(blocks);
  });
  return msg && { ts: msg.ts, id: /"value":"([^"]+)"/.exec(JSON.stringify(msg.blocks))![1]! };
};
const approve = async (rootTs: string, job: RegExp, what: string) => {
  await waitFor(() => Promise.resolve(Boolean(approvalFor(rootTs, job))), {
    what,
    timeoutMs: 30_000,
    context: () => text(rootTs),
  });
  const request = approvalFor(rootTs, job)!;
  const body = blockActionBody({
    actionId: 'approval.approve',
    value: request.id,
    userId: 'U0BOB',
    messageTs: request.ts,
    channel: CHANNEL,
    responseUrl: `${slack.url}response`,
  });
  expect((await postSigned(base, body, SECRET)).status).toBe(200);
};
/** The drain's progress reply: its notification text names the job and the count. */
const PROGRESS = /^drain of prod: evicted \d+\/\d+/;
const progressReplies = (rootTs: string) => thread(rootTs).filter((m) => PROGRESS.test(m.text));

/** The drain step's result (`Step 4/8 · Drain worker-1 …`; its intro reads `Step 4/8 · contain — Drain`). */
const stepResult = (rootTs: string) =>
  thread(rootTs).find((m) => /Step \d+\/\d+ · Drain/.test(m.text));

describe('a drain in a runbook thread', () => {
  it('shows where it stands in one reply, edited in place, down to the budget that blocks it', async () => {
    const alert = {
      alertname: 'KubeNodeNotReady',
      labels: { node: 'worker-1', cluster: 'prod' },
      annotations: { summary: 'worker-1 has been unready for more than 15 minutes.' },
    };
    expect((await sendAlert(base, alertPayload('node', [alert]), TOKEN)).status).toBe(202);
    await waitFor(
      () =>
        Promise.resolve(
          slack.messages(CHANNEL).some((m) => !m.threadTs && /KubeNodeNotReady/.test(m.text)),
        ),
      { what: 'the incident root' },
    );
    const root = slack
      .messages(CHANNEL)
      .find((m) => !m.threadTs && /KubeNodeNotReady/.test(m.text))!;

    await approve(root.ts, /kube\.cordon|cordon/, 'the cordon approval request');
    await approve(root.ts, /kube\.drain|drain/i, 'the drain approval request');

    // The drain ends where the budget stops it: every web pod evicted, db-0 blocked.
    const total = WEB_PODS + 1;
    const final = `drain of prod: evicted ${WEB_PODS}/${total}, 1 blocked by db-pdb`;
    await waitFor(() => Promise.resolve(progressReplies(root.ts).some((m) => m.text === final)), {
      what: 'the progress reply at the drain’s final standing',
      timeoutMs: 30_000,
      context: () => text(root.ts),
    });
    await waitFor(() => Promise.resolve(Boolean(api.store.get('Pod', 'db-0', 'shop'))), {
      what: 'db-0 kept by its budget',
    });
    for (let i = 0; i < WEB_PODS; i++)
      expect(api.store.get('Pod', `web-${i}`, 'shop')).toBeUndefined();

    // One message in the thread, posted once; every later standing was an edit of it.
    const [reply, ...more] = progressReplies(root.ts);
    expect(more).toEqual([]);
    expect(reply!.text).toBe(final);
    expect(JSON.stringify(reply!.blocks)).toContain('blocked by db-pdb');
    const posts = slack
      .calls('chat.postMessage')
      .filter((c) => c.body.thread_ts === root.ts && PROGRESS.test(String(c.body.text)));
    expect(posts).toHaveLength(1);
    const edits = slack
      .calls('chat.update')
      .filter((c) => c.body.ts === reply!.ts && c.status === 200);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    // Paced and coalesced: never more edits than the drain had standings to tell.
    expect(edits.length).toBeLessThanOrEqual(total + 1);
    expect(reply!.history.length).toBe(edits.length);
    expect(reply!.history.every((t) => PROGRESS.test(t))).toBe(true);

    // The step's own result still follows, and the reply was not replaced by it.
    await waitFor(() => Promise.resolve(Boolean(stepResult(root.ts))), {
      what: 'the drain step’s result',
      timeoutMs: 30_000,
      context: () => text(root.ts),
    });
    const after = thread(root.ts);
    const at = (ts: string) => after.findIndex((m) => m.ts === ts);
    expect(at(reply!.ts)).toBeLessThan(at(stepResult(root.ts)!.ts));
    expect(progressReplies(root.ts)).toHaveLength(1);
  }, 120_000);
});
