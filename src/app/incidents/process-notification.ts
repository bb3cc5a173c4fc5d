/**
 * One Alertmanager notification, taken from the alerts queue: find its channel,
 * change its group's incident by compare-and-set (transition.ts), and say what
 * changed in the thread through the outbox. A new incident gets its root message and,
 * when a runbook matches, the runbook's run in the thread.
 */
import type { AlertNotification } from '../../domain/alert.js';
import type { Runbook } from '../../domain/runbook.js';
import { matchRunbook } from '../../operations/runbooks/match.js';
import { appendAudit } from '../../state/audit.js';
import { changeIncident, linkRunToIncident } from '../../state/incidents.js';
import type { IncidentDeps } from './deps.js';
import { channelFor, clusterOf, labelsOf } from './route.js';
import { say } from './say.js';
import { withSilencing } from './silence-common.js';
import { expireOnResolve } from './silence-expire.js';
import { startRunbook } from './start-runbook.js';
import { transition, type Change } from './transition.js';

export type NotificationOutcome = Change['type'] | 'repeat' | 'unrouted';

export async function processNotification(
  deps: IncidentDeps,
  n: AlertNotification,
): Promise<NotificationOutcome> {
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
  const group = await changeIncident(deps.redis, deps.prefix, n.groupKey, (current) => {
    const t = transition(current, n, {
      channel,
      now,
      reopenWindowMs: deps.config.alerts.reopenWindow,
    });
    change = t?.change;
    if (!t) return undefined;
    const next = withSilencing(deps, n, t.group);
    return t.change.type === 'opened' && runbook ? withRun(next, runbook) : next;
  });
  if (!group || !change) return 'repeat';
  await say(deps, group, change, now);
  if (change.type === 'resolved') await expireOnResolve(deps, group);
  await appendAudit(deps.redis, deps.prefix, {
    type: 'alert.received',
    who: 'alertmanager',
    cluster: clusterOf(deps.config, labels) ?? '-',
    action: labels.alertname ?? '(no alertname)',
    outcome: change.type,
    at: now,
  }).catch((err: unknown) => deps.logger.warn({ err }, 'audit log not written'));
  if (change.type === 'opened' && deps.engine && group.runId) {
    await linkRunToIncident(deps.redis, deps.prefix, group.runId, group.groupKey);
    await startRunbook({ ...deps, engine: deps.engine }, group, labels);
  }
  return change.type;
}

/** A new incident names the runbook that matched and the id its run will have. */
const withRun = <G extends { rootRef: string }>(g: G, runbook: Runbook) => ({
  ...g,
  runbook: runbook.id,
  runId: g.rootRef.replace(/[^A-Za-z0-9]/g, ''),
});
