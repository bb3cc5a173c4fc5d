/**
 * The "done when": an Alertmanager notification for a NotReady node makes a
 * thread with the diagnosis and an approval-gated cordon that works when approved —
 * with the real webhook, Redis, etcd, worker, @kubernetes/client-node against the
 * Kubernetes API test server, and the Slack Web API test server.
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

const SECRET = 'runbook-signing-secret';
const TOKEN = 'alertmanager-bearer-token-node-not-ready';
const CHANNEL = 'C0INCIDENT';

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
  api.store.add(
    kube.node({ name: 'cp-1', roles: ['control-plane'] }),
    kube.node({ name: 'worker-1', ready: 'Unknown', readySinceMs: 10 * 60_000 }),
    kube.nodeLease('cp-1', 5_000),
    kube.nodeLease('worker-1', 10 * 60_000),
    ...kube.controlPlanePods('cp-1'),
    kube.pod({
      name: 'web-1',
      namespace: 'shop',
      node: 'worker-1',
      owner: { kind: 'ReplicaSet', name: 'web-7d' },
      labels: { app: 'web' },
    }),
    kube.pod({
      name: 'db-0',
      namespace: 'shop',
      node: 'worker-1',
      owner: { kind: 'StatefulSet', name: 'db' },
      labels: { app: 'db' },
    }),
    kube.pod({
      name: 'node-exporter-x',
      namespace: 'monitoring',
      node: 'worker-1',
      owner: { kind: 'DaemonSet', name: 'node-exporter' },
    }),
    kube.pdb({
      name: 'db-pdb',
      namespace: 'shop',
      matchLabels: { app: 'db' },
      disruptionsAllowed: 0,
    }),
  );
  const dir = await tmpDir('quorum-runbook-e2e-');
  const configFile = path.join(dir, 'quorum.yaml');
  await writeFile(configFile, 'maintenance:\n  drainRetryInterval: 100ms\n  drainRetryLimit: 1s\n');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = cleanEnv({
    ...etcd.env,
    QUORUM_CONFIG: configFile,
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: dir,
    KUBECONFIG: await api.writeKubeconfig(),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-runbook',
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
const click = async (actionId: string, value: string, user: string, messageTs: string) => {
  const body = blockActionBody({
    actionId,
    value,
    userId: user,
    messageTs,
    channel: CHANNEL,
    responseUrl: `${slack.url}response`,
  });
  const res = await postSigned(base, body, SECRET);
  expect(res.status).toBe(200);
};
const unschedulable = () =>
  Boolean(
    (api.store.get('Node', 'worker-1')?.spec as { unschedulable?: boolean } | undefined)
      ?.unschedulable,
  );

describe('Node NotReady from an Alertmanager notification', () => {
  it('posts the diagnosis, gates cordon and drain behind approval, and never forces a drain past a PDB', async () => {
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

    // Detect/assess: the diagnosis names the node, its stale heartbeat and its pods.
    await waitFor(
      () =>
        Promise.resolve(
          /node diagnosis/i.test(text(root.ts)) && /control plane/i.test(text(root.ts)),
        ),
      { what: 'the diagnosis in the thread', timeoutMs: 30_000, context: () => text(root.ts) },
    );
    const diagnosis = text(root.ts);
    expect(diagnosis).toContain('worker-1');
    expect(diagnosis).toMatch(/lease|heartbeat/i);
    expect(diagnosis).toContain('Node NotReady');

    // Contain: the cordon waits for a second person; nothing changed yet.
    await waitFor(() => Promise.resolve(Boolean(approvalFor(root.ts, /kube\.cordon|cordon/))), {
      what: 'the cordon approval request',
      timeoutMs: 30_000,
    });
    const cordon = approvalFor(root.ts, /cordon/)!;
    expect(JSON.stringify(thread(root.ts).find((m) => m.ts === cordon.ts)?.blocks)).toContain(
      'node=worker-1',
    );
    expect(unschedulable()).toBe(false);
    await click('approval.approve', cordon.id, 'U0EVE', cordon.ts); // not an approver
    await new Promise((r) => setTimeout(r, 500));
    expect(unschedulable()).toBe(false);
    expect(api.requestsTo('PATCH', /nodes\/worker-1/)).toHaveLength(0);

    await click('approval.approve', cordon.id, 'U0BOB', cordon.ts);
    await waitFor(() => Promise.resolve(unschedulable()), {
      what: 'worker-1 cordoned on the API server',
      timeoutMs: 30_000,
    });
    await click('approval.approve', cordon.id, 'U0BOB', cordon.ts); // a second click changes nothing
    expect(api.requestsTo('PATCH', /nodes\/worker-1/)).toHaveLength(1);

    // The drain is asked next; approved, it evicts what it may and reports the blocking PDB.
    await waitFor(() => Promise.resolve(Boolean(approvalFor(root.ts, /kube\.drain|drain/i))), {
      what: 'the drain approval request',
      timeoutMs: 30_000,
    });
    const drain = approvalFor(root.ts, /drain/i)!;
    await click('approval.approve', drain.id, 'U0BOB', drain.ts);
    await waitFor(() => Promise.resolve(/db-pdb/.test(text(root.ts))), {
      what: 'the blocking PDB reported',
      timeoutMs: 30_000,
    });
    expect(api.store.get('Pod', 'web-1', 'shop')).toBeUndefined(); // evicted
    expect(api.store.get('Pod', 'db-0', 'shop')).toBeDefined(); // protected by its budget
    expect(api.store.get('Pod', 'node-exporter-x', 'monitoring')).toBeDefined(); // DaemonSet pods stay
    expect(api.requestsTo('DELETE', /pods/)).toHaveLength(0); // never a forced delete

    // Recover: the manual kubelet checks wait for Done (and record who), then the node is
    // checked again and the uncordon waits for approval; rejected, the run ends.
    const manual = () =>
      thread(root.ts).find((m) => JSON.stringify(m.blocks ?? []).includes('runbook.done'));
    await waitFor(() => Promise.resolve(Boolean(manual())), {
      what: 'the manual step',
      timeoutMs: 30_000,
    });
    expect(text(root.ts)).toContain('ssh worker-1 systemctl status kubelet containerd');
    const value = /"value":"([^"]+\|[^"]+)"/.exec(JSON.stringify(manual()!.blocks))![1]!;
    await click('runbook.done', value, 'U0CAROL', manual()!.ts);
    await waitFor(() => Promise.resolve(Boolean(approvalFor(root.ts, /uncordon/))), {
      what: 'the uncordon approval request',
      timeoutMs: 30_000,
    });
    const uncordon = approvalFor(root.ts, /uncordon/)!;
    await click('approval.reject', uncordon.id, 'U0BOB', uncordon.ts);
    await waitFor(() => Promise.resolve(/Post-mortem summary/.test(text(root.ts))), {
      what: 'the post-mortem',
      timeoutMs: 30_000,
      context: () => text(root.ts),
    });
    expect(unschedulable()).toBe(true); // the rejected uncordon changed nothing
    const end = text(root.ts);
    expect(end).toMatch(/cordon approved by <@U0BOB>/);
    expect(end).toMatch(/done by <@U0CAROL>/);
    expect(end).toMatch(/uncordon rejected by <@U0BOB>/);
    expect(end).toMatch(/Alert firing: KubeNodeNotReady/);
  }, 120_000);
});
