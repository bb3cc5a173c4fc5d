/**
 * A Quorum bot for incident-thread tests: real etcd and Redis, the Slack Web API test
 * server, the bot with one worker for cluster `prod`, alerts into one channel, extra
 * runbooks from YAML text; and the few reads and clicks those tests make.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { alertPayload, sendAlert, type TestAlert } from './alertmanager.js';
import { cleanEnv } from './cli.js';
import {
  freePort,
  startEtcd,
  startRedis,
  tmpDir,
  type EtcdCluster,
  type RedisServer,
} from './index.js';
import { startQuorumBot, type QuorumBot } from './quorum-bot.js';
import { startSlackApi, type SlackApi, type SlackMessage } from './slack-api.js';
import { blockActionBody, postSigned } from './slack-request.js';

export interface AlertBotOptions {
  /** Names the channel, token and temporary directories. */
  name: string;
  approvers?: string;
  /** The channel's outbox pace (ms). */
  paceMs?: number;
  /** Extra runbooks: file name → YAML. */
  runbooks?: Record<string, string>;
}

export interface AlertBot {
  etcd: EtcdCluster;
  redis: RedisServer;
  slack: SlackApi;
  bot: QuorumBot;
  channel: string;
  /** Posts an Alertmanager notification for `group`; expects 202. */
  alert(
    group: string,
    alerts: TestAlert[],
    opts?: { status?: 'firing' | 'resolved' },
  ): Promise<void>;
  /** The channel's top-level message whose text matches. */
  root(pattern: RegExp): SlackMessage | undefined;
  /** A message's text and blocks, as they are now. */
  textOf(ts: string): string;
  thread(ts: string): SlackMessage[];
  /** A signed block_actions click; expects 200. */
  click(actionId: string, value: string, user: string, messageTs: string): Promise<void>;
  close(): Promise<void>;
}

const SECRET = 'alert-bot-signing-secret';

export async function startAlertBot(opts: AlertBotOptions): Promise<AlertBot> {
  const [etcd, redis, slack] = await Promise.all([startEtcd(), startRedis(), startSlackApi()]);
  const channel = `C0${opts.name.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
  const token = `alertmanager-bearer-token-${opts.name}-0123456789`;
  const env = cleanEnv({
    ...etcd.env,
    ...(opts.runbooks ? { QUORUM_CONFIG: await runbooksConfig(opts.name, opts.runbooks) } : {}),
    QUORUM_CLUSTER: 'prod',
    QUORUM_SNAPSHOT_DIR: await tmpDir(`quorum-${opts.name}-snaps-`),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: `xoxb-${opts.name}`,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    QUORUM_APPROVERS: opts.approvers ?? 'U0BOB',
    QUORUM_ALERT_CHANNEL: channel,
    QUORUM_ALERT_TOKEN: token,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
  });
  const bot = await startQuorumBot(env, {
    clusters: ['prod'],
    outboxIntervalMs: opts.paceMs ?? 30,
  });
  const message = (ts: string) => slack.messages(channel).find((m) => m.ts === ts);
  return {
    etcd,
    redis,
    slack,
    bot,
    channel,
    async alert(group, alerts, o = {}) {
      const res = await sendAlert(bot.base, alertPayload(group, alerts, o), token);
      expect(res.status).toBe(202);
    },
    root: (pattern) => slack.messages(channel).find((m) => !m.threadTs && pattern.test(m.text)),
    textOf: (ts) => `${message(ts)?.text ?? ''}\n${JSON.stringify(message(ts)?.blocks ?? [])}`,
    thread: (ts) => slack.messages(channel).filter((m) => m.threadTs === ts),
    async click(actionId, value, user, messageTs) {
      const body = blockActionBody({
        actionId,
        value,
        userId: user,
        messageTs,
        channel,
        responseUrl: `${slack.url}response`,
      });
      expect((await postSigned(bot.base, body, SECRET)).status).toBe(200);
    },
    async close() {
      await bot.close();
      await Promise.all([slack.close(), redis.close(), etcd.close()]);
    },
  };
}

/** A config file whose runbooks.dir holds the given runbooks. */
async function runbooksConfig(name: string, runbooks: Record<string, string>): Promise<string> {
  const dir = await tmpDir(`quorum-${name}-runbooks-`);
  for (const [file, yaml] of Object.entries(runbooks)) await writeFile(path.join(dir, file), yaml);
  const config = path.join(await tmpDir(`quorum-${name}-config-`), 'quorum.yaml');
  await writeFile(config, `runbooks:\n  dir: ${dir}\n`);
  return config;
}
