/**
 * The Slack side of `quorum bot` and `quorum start`: the Bolt app with its listeners,
 * approvals and approvers, sharing the runtime's queues and Redis. In HTTP mode the
 * receiver also serves the runtime's health, readiness and metrics routes.
 */
import type { Config } from '../../config/schema.js';
import { approvalStore } from '../../state/approvals.js';
import { resolveApprovers } from '../../state/approvers.js';
import type { Runtime, RuntimeDeps } from '../queue/runtime.js';
import { alertWebhookRoute } from '../alerts/webhook.js';
import { createAlertQueue, enqueueNotification, startAlertConsumer } from '../alerts/queue.js';
import { afterAck } from './after-ack.js';
import { createSlackApp } from './app.js';
import { registerListeners } from './register.js';

export interface Bot {
  mode: 'http' | 'socket';
  close(): Promise<void>;
}

/** Slash commands worked on at once after their acks; the rest wait their turn. */
const AFTER_ACK_CONCURRENCY = 4;
/** While the receiver is busy, how long a command’s work may wait before one lane runs. */
const AFTER_ACK_MAX_DEFER_MS = 1_000;
/**
 * How long the close waits for acked commands to be worked on: inside the CLI's 3 s after the
 * last job (worker.ts), so a drain that Redis holds up says so in the log before the exit.
 */
const DRAIN_MS = 2_000;

/** Whether the bot serves HTTP itself (then the runtime must not: pass `http: false`). */
export const botServesHttp = (config: Config) => !config.slack.appToken;

export async function startBot(
  config: Config,
  deps: RuntimeDeps,
  runtime: Runtime,
  prefix = config.redis.prefix,
): Promise<Bot> {
  // The Alertmanager webhook is served beside /slack/events (Bolt takes its routes at creation).
  const alertQueue = createAlertQueue(deps.redis, prefix);
  runtime.routes.push(
    alertWebhookRoute({
      token: config.alerts.token,
      enqueue: (n) => enqueueNotification(alertQueue, n),
      logger: deps.logger,
    }),
  );
  const incidents = {
    redis: deps.redis,
    prefix,
    outbox: runtime.outbox,
    engine: runtime.engine,
    config,
    logger: deps.logger,
    ...(deps.alertmanager ? { alertmanager: deps.alertmanager } : {}),
  };
  const alerts = startAlertConsumer(deps.redis, incidents);
  const slackApp = createSlackApp(config, deps.logger, runtime.routes, (method) =>
    deps.metrics.slackRateLimited.inc({ method }),
  );
  const client = slackApp.app.client;
  const listGroup = async (group: string) => {
    const res = await client.usergroups.users.list({ usergroup: group });
    return res.users ?? [];
  };
  const isApprover = resolveApprovers(config.approvers, listGroup);
  const silencers = config.alerts.silencers;
  const isSilencer = silencers ? resolveApprovers(silencers, listGroup) : isApprover;
  const work = afterAck(AFTER_ACK_CONCURRENCY, AFTER_ACK_MAX_DEFER_MS, deps.logger);
  registerListeners(slackApp.app, {
    afterAck: work,
    config,
    queues: runtime.queues,
    approvals: approvalStore({ redis: deps.redis, prefix }),
    outbox: runtime.outbox,
    isApprover,
    redis: deps.redis,
    prefix,
    logger: deps.logger,
    engine: runtime.engine,
    ...(deps.alertmanager
      ? { silences: { ...incidents, alertmanager: deps.alertmanager, isSilencer } }
      : {}),
  });
  let started = false;
  runtime.readiness.push({
    name: 'slack',
    check: () =>
      started ? Promise.resolve() : Promise.reject(new Error('the Slack side has not started')),
  });
  const server = await slackApp.start();
  if (server) work.track(server);
  started = true;
  deps.logger.info({ mode: slackApp.mode }, 'Slack bot started');
  return {
    mode: slackApp.mode,
    close: async () => {
      started = false;
      await slackApp.stop();
      // What was acked is worked on (root message, job) before the runtime closes Redis.
      await work.drain(DRAIN_MS);
      await alerts.close();
      await alertQueue.close();
    },
  };
}
