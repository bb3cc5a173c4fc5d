/**
 * "Resolved" means the incident is over: the alert resolving while one of its runbook's
 * actions still waits for approval leaves the root saying what waits and what stays
 * broken; the approval stays live; approved, the final check runs and the root turns
 * to resolved with its verdict. Step results read in step order, each labelled. Real
 * webhook, real Redis, real etcd and worker, the Slack Web API test server.
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
import { startQuorumBot, type QuorumBot } from '../support/quorum-bot.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { blockActionBody, postSigned } from '../support/slack-request.js';

const SECRET = 'over-signing-secret';
const TOKEN = 'alertmanager-bearer-token-over-0123456789';
const CHANNEL = 'C0OVER';

let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let bot: QuorumBot;

const RUNBOOK = `
id: read-only-drill
title: etcd read-only drill
match:
  alertnames: [EtcdReadOnlyDrill]
steps:
  - id: look
    phase: detect
    kind: diagnose
    title: etcd health
    job: etcd.check
  - id: alarms
    phase: assess
    kind: diagnose
    title: Raised alarms
    job: etcd.alarms
  - id: disarm
    phase: recover
    kind: action
    title: Disarm the NOSPACE alarm
    job: etcd.alarms.disarm
    untilDone: etcd still refuses writes
  - id: recheck
    phase: recover
    kind: diagnose
    title: Check etcd again
    job: etcd.check
  - id: notes
    phase: postmortem
    kind: manual
    title: Write down what grew
`;

beforeAll(async () => {
  [etcd, redis, slack] = await Promise.all([startEtcd(), startRedis(), startSlackApi()]);
  const dir = await tmpDir('quorum-over-');
  await writeFile(path.join(dir, 'read-only-drill.yaml'), RUNBOOK);
  const config = path.join(await tmpDir('quorum-over-config-'), 'quorum.yaml');
  await writeFile(config, `runbooks:\n  dir: ${dir}\n`);
  const env = cleanEnv({
    ...etcd.env,
    QUORUM_CONFIG: config,
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: await tmpDir('quorum-over-snaps-'),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-over',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    QUORUM_APPROVERS: 'U0BOB',
    QUORUM_ALERT_CHANNEL: CHANNEL,
    QUORUM_ALERT_TOKEN: TOKEN,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
  });
  bot = await startQuorumBot(env, { clusters: ['prod'], outboxIntervalMs: 30 });
});

afterAll(async () => {
  await bot?.close();
  await Promise.all([slack?.close(), redis?.close(), etcd?.close()]);
});

const rootText = (ts: string) => {
  const m = slack.messages(CHANNEL).find((x) => x.ts === ts)!;
  return `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
};
const thread = (ts: string) => slack.messages(CHANNEL).filter((m) => m.threadTs === ts);

describe('an incident is over when its alert and its runbook are', () => {
  it('a resolved alert with an approval still waiting says so; approved, the final check shows and the root resolves', async () => {
    const alert = { alertname: 'EtcdReadOnlyDrill', labels: { cluster: 'prod' } };
    await sendAlert(bot.base, alertPayload('ro', [alert]), TOKEN);
    await waitFor(
      () =>
        Promise.resolve(
          slack.messages(CHANNEL).some((m) => !m.threadTs && /EtcdReadOnlyDrill/.test(m.text)),
        ),
      { what: 'the root' },
    );
    const root = slack.messages(CHANNEL).find((m) => !m.threadTs)!;
    const approval = () =>
      thread(root.ts).find((m) => JSON.stringify(m.blocks ?? []).includes('approval.approve'));
    await waitFor(() => Promise.resolve(Boolean(approval())), { what: 'the disarm approval' });

    // Both diagnoses ran side by side; their results are posted in step order, labelled.
    const results = thread(root.ts)
      .map((m) => m.text)
      .filter((t) => /^Step \d\/5 · /.test(t));
    expect(results.map((t) => /^Step (\d)/.exec(t)![1])).toEqual(['1', '2']);
    expect(results[0]).toMatch(/^Step 1\/5 · etcd health/);

    // While firing, the root names what waits.
    await waitFor(() => Promise.resolve(/1 step still waiting/.test(rootText(root.ts))), {
      what: 'the root naming the waiting step',
      context: () => rootText(root.ts),
    });

    await sendAlert(bot.base, alertPayload('ro', [alert], { status: 'resolved' }), TOKEN);
    await waitFor(() => Promise.resolve(/Alert resolved ·/.test(rootText(root.ts))), {
      what: 'the root: alert resolved, a step still waiting',
    });
    const text = rootText(root.ts);
    expect(text).toContain(
      'Alert resolved · 1 step still waiting: Disarm the NOSPACE alarm (waiting for approval) — etcd still refuses writes; then Check etcd again',
    );
    expect(slack.messages(CHANNEL).find((x) => x.ts === root.ts)!.text).not.toMatch(/^✔/);
    expect(
      thread(root.ts)
        .map((m) => m.text)
        .join('\n'),
    ).toMatch(/the incident is not over/);

    // The approval stays live after the alert resolved: approved, the action and the final check run.
    const request = approval()!;
    const id = /"value":"([^"]+)"/.exec(JSON.stringify(request.blocks))![1]!;
    const res = await postSigned(
      bot.base,
      blockActionBody({
        actionId: 'approval.approve',
        value: id,
        userId: 'U0BOB',
        messageTs: request.ts,
        channel: CHANNEL,
        responseUrl: `${slack.url}response`,
      }),
      SECRET,
    );
    expect(res.status).toBe(200);
    await waitFor(() => Promise.resolve(/Resolved after \d+ s/.test(rootText(root.ts))), {
      what: 'the root resolved once the run is over',
      timeoutMs: 60_000,
    });
    expect(rootText(root.ts)).toMatch(/Final check ✔ Check etcd again/);
    expect(slack.messages(CHANNEL).find((x) => x.ts === root.ts)!.text).toMatch(/^✔ Resolved/);
    const labels = () =>
      thread(root.ts)
        .map((m) => /^Step (\d)\/5 · /.exec(m.text)?.[1])
        .filter(Boolean);
    await waitFor(() => Promise.resolve(labels().length === 4), { what: 'the four results' });
    expect(labels()).toEqual(['1', '2', '3', '4']);
  });
});
