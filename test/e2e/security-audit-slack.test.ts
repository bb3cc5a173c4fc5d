/**
 * `/security-audit` end to end: a signed slash command to the real Bolt receiver, a root
 * message, the job on a real worker against a real TLS etcd seeded with Secrets and the
 * Kubernetes API test server, the Block Kit result in the thread and the verdict on the
 * root. No seeded Secret value may reach Slack, the log (pino at debug) or the audit log.
 * Also: the audit can be scheduled (weekly) like snapshots and checks.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logging.js';
import { buildRuntimeDeps, type OwnedRuntimeDeps } from '../../src/runtime-deps.js';
import { startRuntime, type Runtime } from '../../src/transport/queue/runtime.js';
import { listSchedules, setSchedule } from '../../src/transport/queue/schedules.js';
import { startBot, type Bot } from '../../src/transport/slack/bot.js';
import { cleanEnv } from '../support/cli.js';
import {
  freePort,
  kube,
  startEtcd,
  startKubeApi,
  startRedis,
  waitFor,
  type EtcdCluster,
  type KubeApiServer,
  type RedisServer,
} from '../support/index.js';
import { seedSecrets } from '../support/secrets.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { signSlack, slashCommandBody } from '../support/slack-request.js';

const SECRET = 'e2e-signing-secret';
const CHANNEL = 'C0SEC';
const MARKER = `qmark${randomBytes(6).toString('hex')}`;
const PREFIX = `qt-sec-${randomBytes(3).toString('hex')}`;
let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let api: KubeApiServer;
let deps: OwnedRuntimeDeps;
let runtime: Runtime;
let bot: Bot;
let base: string;
let log = '';

beforeAll(async () => {
  [etcd, redis, slack, api] = await Promise.all([
    startEtcd({ tls: 'client-cert' }),
    startRedis(),
    startSlackApi(),
    startKubeApi(),
  ]);
  await seedSecrets(etcd, MARKER);
  api.store.add(
    kube.clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
    kube.clusterRoleBinding('cluster-admin', 'cluster-admin', [
      { kind: 'Group', name: 'system:masters' },
    ]),
    kube.namespace('shop', { 'pod-security.kubernetes.io/enforce': 'restricted' }),
  );
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = cleanEnv({
    ...etcd.env,
    KUBECONFIG: api.kubeconfig,
    QUORUM_CLUSTER: 'prod',
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-e2e-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    PORT: String(port),
    HOST: '127.0.0.1',
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      log += chunk.toString();
      done();
    },
  });
  const config = loadConfig(env);
  deps = buildRuntimeDeps(config, {
    logger: createLogger('debug', sink),
    stdout: () => undefined,
  });
  runtime = await startRuntime(config, deps, {
    clusters: ['prod'],
    http: false,
    outbox: { intervalMs: 20 },
    prefix: PREFIX,
  });
  bot = await startBot(config, deps, runtime, PREFIX);
});

afterAll(async () => {
  await bot?.close();
  await runtime?.close();
  await deps?.close();
  await Promise.all([slack?.close(), redis?.close(), etcd?.close(), api?.close()]);
});

const post = async (text: string) => {
  const body = slashCommandBody({
    command: '/security-audit',
    text,
    user_id: 'U0ALICE',
    channel_id: CHANNEL,
    response_url: `${slack.url}response`,
  });
  return fetch(`${base}/slack/events`, {
    method: 'POST',
    body,
    headers: signSlack(body, { secret: SECRET }),
  });
};

describe('/security-audit', () => {
  it('posts a root message, the audit in its thread, the verdict on the root; no Secret value anywhere', async () => {
    expect((await post('')).status).toBe(200);
    await waitFor(
      () =>
        Promise.resolve(
          slack.messages(CHANNEL).some((m) => !m.threadTs && m.text.includes('security audit')),
        ),
      { what: 'the root message' },
    );
    const root = slack.messages(CHANNEL).find((m) => !m.threadTs)!;
    expect(root.text).toContain('security audit of *prod*, asked by <@U0ALICE>');
    const reply = () => slack.messages(CHANNEL).find((m) => m.threadTs === root.ts);
    await waitFor(() => Promise.resolve(reply() !== undefined), {
      what: 'the result in the thread',
      timeoutMs: 30_000,
    });
    const result = JSON.stringify(reply()!.blocks);
    // The audit's networking and control-plane phases warn on this test cluster too; the
    // first audit of the cluster says how many findings are open.
    expect(reply()!.text).toBe(
      'security audit of prod: ✖ 1 critical, 4 warnings — first audit on record: 5 open',
    );
    expect(result).toContain('Fix first');
    expect(result).toContain('2 of 12 Secrets stored unencrypted in etcd');
    expect(result).toContain('kubectl get secrets -A -o json | kubectl replace -f -');
    await waitFor(
      () =>
        Promise.resolve(
          slack
            .messages(CHANNEL)
            .find((m) => m.ts === root.ts)!
            .text.includes('1 critical'),
        ),
      { what: 'the verdict on the root' },
    );
    await waitFor(() => Promise.resolve(log.includes('security.audit')), {
      what: 'the worker log of the job',
    });
    const audit = await deps.redis.xrange(`${PREFIX}:audit`, '-', '+');
    expect(JSON.stringify(audit)).toContain('security.audit');
    for (const text of [JSON.stringify(slack.calls()), log, JSON.stringify(audit)])
      expect(text).not.toContain(MARKER);
  });

  it('answers a wrong cluster with an ephemeral usage message', async () => {
    const res = await post('prdo');
    const answer = JSON.parse(await res.text()) as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('No cluster named "prdo"');
  });

  it('can be scheduled weekly, like snapshots and checks', async () => {
    await setSchedule(runtime.queues, 'prod', 'security.audit', {
      cron: '0 6 * * 1',
      target: { kind: 'slack', channel: CHANNEL },
      source: 'config',
    });
    const schedules = await listSchedules(runtime.queues, 'prod');
    expect(schedules.find((s) => s.kind === 'security.audit')).toMatchObject({
      cron: '0 6 * * 1',
      source: 'config',
    });
  });
});
