/**
 * One Alertmanager notification, taken from the alerts queue: find its channel,
 * change its group's incident by compare-and-set (transition.ts), and say what
 * changed in the thread through the outbox. A new incident gets its root message and,
 * when a runbook matches, the runbook's run in the thread.
 */
import type { Config } from '../../config/schema.js';
import { alertName, type AlertNotification } from '../../domain/alert.js';
import { describeError } from '../../domain/errors.js';
import type { Logger } from '../../domain/logger.js';
import { matchRunbook, resolveParams } from '../../operations/runbooks/match.js';
import {
  alertsChangedMessage,
  escapeMrkdwn,
  incidentReopenedMessage,
  incidentResolvedMessage,
  incidentRootMessage,
  textMessage,
  type IncidentView,
  type SlackMessage,
} from '../../render/block-kit/index.js';
import { appendAudit } from '../../state/audit.js';
import type { StateRedis } from '../../state/redis.js';
import { updateDoc } from '../../state/versioned.js';
import type { OutboxWriter } from '../queue/outbox.js';
import type { RunbookEngine } from '../queue/runbook-engine.js';
import { threadWriter } from '../../app/thread-writer.js';
import {
  groupIdOf,
  shownAlerts,
  transition,
  type Change,
  type IncidentGroup,
} from './transition.js';

export interface AlertDeps {
  redis: StateRedis & {
    rpush(key: string, ...values: string[]): Promise<number>;
    pexpire(key: string, ms: number): Promise<number>;
  };
  prefix: string;
  outbox: OutboxWriter;
  engine?: RunbookEngine;
  config: Config;
  logger: Logger;
  now?: () => number;
}

const GROUP_TTL_MS = 30 * 24 * 3_600_000;

/** The channel of a notification: the first route whose labels all match, else QUORUM_ALERT_CHANNEL. */
export function channelFor(config: Config, labels: Record<string, string>): string | undefined {
  const route = config.alerts.routes.find((r) =>
    Object.entries(r.match).every(([k, v]) => labels[k] === v),
  );
  return route?.channel ?? config.alerts.channel;
}

const labelsOf = (n: AlertNotification) => ({
  ...(n.alerts[0]?.labels ?? {}),
  ...n.groupLabels,
  ...n.commonLabels,
});

export async function processNotification(
  deps: AlertDeps,
  n: AlertNotification,
): Promise<Change['type'] | 'repeat' | 'unrouted'> {
  const now = (deps.now ?? Date.now)();
  const labels = labelsOf(n);
  const channel = channelFor(deps.config, labels);
  if (!channel) {
    deps.logger.info(
      { groupKey: n.groupKey, alertname: labels.alertname, status: n.status },
      'alert accepted; not posted: no alert channel is configured (QUORUM_ALERT_CHANNEL)',
    );
    return 'unrouted';
  }
  const runbook = deps.engine ? matchRunbook(deps.engine.runbooks, labels) : undefined;
  let change: Change | undefined;
  const stored = await updateDoc<IncidentGroup>(
    deps.redis,
    `${deps.prefix}:alert:group:${groupIdOf(n.groupKey)}`,
    GROUP_TTL_MS,
    (current) => {
      const t = transition(current, n, {
        channel,
        now,
        reopenWindowMs: deps.config.alerts.reopenWindow,
      });
      change = t?.change;
      if (!t) return undefined;
      if (t.change.type !== 'opened' || !runbook) return t.group;
      return {
        ...t.group,
        runbook: runbook.id,
        runId: t.group.rootRef.replace(/[^A-Za-z0-9]/g, ''),
      };
    },
  );
  if (!stored || !change) return 'repeat';
  const group = stored.after;
  await say(deps, group, change, now);
  await appendAudit(deps.redis, deps.prefix, {
    type: 'alert.received',
    who: 'alertmanager',
    cluster: clusterOf(deps.config, labels) ?? '-',
    action: labels.alertname ?? '(no alertname)',
    outcome: change.type,
    at: now,
  }).catch((err: unknown) => deps.logger.warn({ err }, 'audit log not written'));
  if (change.type === 'opened' && runbook && group.runId) await startRunbook(deps, group, labels);
  return change.type;
}

function view(g: IncidentGroup): IncidentView {
  return { ...g, alerts: shownAlerts(g) };
}

async function say(deps: AlertDeps, g: IncidentGroup, change: Change, now: number): Promise<void> {
  const id = `${g.rootRef}-v${g.version}`;
  const root = incidentRootMessage(view(g), now);
  const channel = threadWriter(deps.outbox, { channel: g.channel });
  const reply = (m: SlackMessage) => inThread(deps, g).post(`${id}-reply`, m);
  const timeline = (text: string) => noteForPostMortem(deps, g, text, now);
  if (change.type === 'opened') {
    await channel.post(`${id}-root`, root, g.rootRef);
    await timeline(`Alert firing: ${shownAlerts(g).map(alertName).join(', ')}`);
    return;
  }
  await channel.edit(g.rootRef, `${id}-root`, root);
  if (change.type === 'resolved') {
    await reply(incidentResolvedMessage(view(g), now));
    await timeline('All alerts of the group resolved');
  } else if (change.type === 'reopened') {
    await reply(incidentReopenedMessage(view(g)));
    await timeline('Firing again (reopened)');
  } else if (change.joined.length || change.resolved.length) {
    await reply(alertsChangedMessage(change.joined, change.resolved, g.truncatedAlerts));
    if (change.joined.length) await timeline(`Joined: ${change.joined.map(alertName).join(', ')}`);
    if (change.resolved.length)
      await timeline(`Resolved: ${change.resolved.map(alertName).join(', ')}`);
  }
}

/** The incident's thread: replies wait for its root (posted under `rootRef`). */
const inThread = (deps: AlertDeps, g: IncidentGroup) =>
  threadWriter(deps.outbox, { channel: g.channel, ref: g.rootRef });

/** Alert lines for the run's post-mortem (the engine reads them when the run ends). */
async function noteForPostMortem(deps: AlertDeps, g: IncidentGroup, text: string, at: number) {
  if (!g.runId) return;
  const key = `${deps.prefix}:runbook:run:${g.runId}:alerts`;
  await deps.redis.rpush(key, JSON.stringify({ at, text: text.slice(0, 300) }));
  await deps.redis.pexpire(key, GROUP_TTL_MS);
}

/** The configured cluster an alert names (its cluster label), else the default one when the label is absent. */
export function clusterOf(config: Config, labels: Record<string, string>): string | undefined {
  const named = labels[config.alerts.clusterLabel];
  if (named !== undefined) return config.clusters.some((c) => c.name === named) ? named : undefined;
  return config.defaultCluster ?? config.clusters[0]?.name;
}

async function startRunbook(deps: AlertDeps, g: IncidentGroup, labels: Record<string, string>) {
  const engine = deps.engine as RunbookEngine;
  const runbook = engine.runbooks.find((r) => r.id === g.runbook);
  if (!runbook || !g.runId) return;
  const tell = (text: string) => inThread(deps, g).post(`${g.rootRef}-norun`, textMessage(text));
  const cluster = clusterOf(deps.config, labels);
  if (!cluster) {
    await tell(
      `Runbook *${escapeMrkdwn(runbook.title)}* matches, but the alert's \`${escapeMrkdwn(deps.config.alerts.clusterLabel)}\` label names no configured cluster, so it was not started. Start it by hand: \`/runbook run ${runbook.id} CLUSTER\`.`,
    );
    return;
  }
  try {
    const params = resolveParams(runbook, labels);
    await engine.start({
      runbook: runbook.id,
      cluster,
      params,
      thread: { channel: g.channel, ref: g.rootRef },
      startedBy: 'alertmanager',
      runId: g.runId,
    });
  } catch (err) {
    deps.logger.warn({ err, runbook: runbook.id }, 'runbook not started');
    await tell(
      `Runbook *${escapeMrkdwn(runbook.title)}* was not started: ${escapeMrkdwn(describeError(err))}`,
    );
  }
}
