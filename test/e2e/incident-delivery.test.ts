/**
 * Fair, ordered delivery with five incidents in one channel: while their runbooks
 * post step after step, each resolved or reopened root edit reaches Slack within 3 s
 * of Quorum receiving the notification (it takes the channel's next turn before the
 * chatter), and every thread's messages arrive in the order they were produced. Real
 * webhook, Redis, etcd, worker and outbox; the Slack Web API test server, paced.
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

const TOKEN = 'alertmanager-bearer-token-delivery-0123456789';
const CHANNEL = 'C0FAIR';
/** The channel's pace: every message waits its turn (Slack allows about one a second). */
const PACE_MS = 250;
const BOUND_MS = 3_000;
const STEPS = 6;

let etcd: EtcdCluster;
let redis: RedisServer;
let slack: SlackApi;
let bot: QuorumBot;

const runbook = () => {
  const steps = Array.from(
    { length: STEPS },
    (_, i) => `  - id: look-${i + 1}
    phase: detect
    kind: diagnose
    title: Look ${i + 1}
    job: etcd.alarms`,
  );
  return `id: chatty\ntitle: A chatty runbook\nmatch:\n  alertnames: [ChattyAlert]\nsteps:\n${steps.join('\n')}\n`;
};

beforeAll(async () => {
  [etcd, redis, slack] = await Promise.all([startEtcd(), startRedis(), startSlackApi()]);
  const dir = await tmpDir('quorum-fair-runbooks-');
  await writeFile(path.join(dir, 'chatty.yaml'), runbook());
  const config = path.join(await tmpDir('quorum-fair-config-'), 'quorum.yaml');
  await writeFile(config, `runbooks:\n  dir: ${dir}\n`);
  const env = cleanEnv({
    ...etcd.env,
    QUORUM_CONFIG: config,
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: await tmpDir('quorum-fair-snaps-'),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-fair',
    SLACK_SIGNING_SECRET: 'fair-signing-secret',
    SLACK_API_URL: slack.url,
    QUORUM_APPROVERS: 'U0BOB',
    QUORUM_ALERT_CHANNEL: CHANNEL,
    QUORUM_ALERT_TOKEN: TOKEN,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
  });
  bot = await startQuorumBot(env, { clusters: ['prod'], outboxIntervalMs: PACE_MS });
});

afterAll(async () => {
  await bot?.close();
  await Promise.all([slack?.close(), redis?.close(), etcd?.close()]);
});

const alert = (i: number) => ({ alertname: 'ChattyAlert', labels: { instance: `etcd-${i}` } });
const group = (i: number) => `fair-${i}`;
const rootOf = (i: number) =>
  slack
    .messages(CHANNEL)
    .find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`etcd-${i}`));

/** When the first edit of `ts` matching `pattern` reached Slack, after `since`. */
const editedAt = (ts: string, pattern: RegExp, since: number) =>
  slack
    .calls('chat.update')
    .find((c) => c.body.ts === ts && c.at >= since && pattern.test(String(c.body.text)))?.at;

async function timed(i: number, status: 'firing' | 'resolved', pattern: RegExp, ts: string) {
  const sent = Date.now();
  const res = await sendAlert(
    bot.base,
    alertPayload(group(i), [{ ...alert(i), startsAt: '2026-12-01T02:00:00Z' }], { status }),
    TOKEN,
  );
  expect(res.status).toBe(202);
  const received = Date.now();
  await waitFor(() => Promise.resolve(editedAt(ts, pattern, sent) !== undefined), {
    what: `incident ${i}: a root edit matching ${pattern}`,
    timeoutMs: 60_000,
    intervalMs: 50,
  });
  return editedAt(ts, pattern, sent)! - received;
}

describe('five incidents in one channel, their runbooks running', () => {
  it('state changes reach Slack within 3 s, ahead of the chatter; every thread stays in order', async () => {
    for (let i = 0; i < 5; i++)
      expect((await sendAlert(bot.base, alertPayload(group(i), [alert(i)]), TOKEN)).status).toBe(
        202,
      );
    await waitFor(() => Promise.resolve([0, 1, 2, 3, 4].every((i) => rootOf(i))), {
      what: 'five roots',
      timeoutMs: 30_000,
    });
    const roots = [0, 1, 2, 3, 4].map((i) => rootOf(i)!.ts);
    // The runbooks' messages queue up behind the channel's pace: 5 × (checklist, 6 step
    // intros, 6 results, a post-mortem) at 250 ms each — far more than fits into the bound.

    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      latencies.push(await timed(i, 'resolved', /Resolved|Alert resolved/, roots[i]!));
    }
    for (const i of [0, 1]) latencies.push(await timed(i, 'firing', /Firing again/, roots[i]!));
    // Measured figures for the closing note; the bound is the issue's.
    console.log(`root edit latencies (ms): ${latencies.join(', ')}`);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(BOUND_MS);

    // Every thread: its step results in step order, the post-mortem after them.
    await waitFor(
      () =>
        Promise.resolve(
          roots.every((ts) =>
            slack
              .messages(CHANNEL)
              .some((m) => m.threadTs === ts && /post-mortem|Post-mortem/.test(m.text)),
          ),
        ),
      { what: 'five post-mortems', timeoutMs: 120_000, intervalMs: 500 },
    );
    for (const ts of roots) {
      const posts = slack
        .calls('chat.postMessage')
        .filter((c) => c.body.thread_ts === ts)
        .map((c) => String(c.body.text));
      const steps = posts.flatMap((t) => {
        const m = /^Step (\d+)\/6 · /.exec(t);
        return m ? [Number(m[1])] : [];
      });
      expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
      const lastResult = posts.findLastIndex((t) => /^Step \d+\/6 · /.test(t));
      const postMortem = posts.findIndex((t) => /post-mortem|Post-mortem/.test(t));
      expect(postMortem).toBeGreaterThan(lastResult);
    }
  }, 240_000);
});
