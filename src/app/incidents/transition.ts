/**
 * What one Alertmanager notification changes in its group's incident thread, as a
 * pure function of the group's stored state: open a thread, say who joined or
 * resolved, mark the thread resolved, reopen it — or nothing, when the notification
 * repeats what the thread already shows (Alertmanager re-sends on repeat_interval).
 */
import { createHash } from 'node:crypto';
import type { Alert, AlertNotification } from '../../domain/alert.js';
import { groupIdOf, type IncidentGroup } from '../../domain/incident.js';

export type Change =
  | { type: 'opened' }
  | { type: 'changed'; joined: Alert[]; resolved: Alert[] }
  | { type: 'resolved' }
  | { type: 'reopened' };

/** Fingerprints and states (and the truncation count): what a repeat has in common. */
export function digestOf(n: AlertNotification): string {
  const parts = n.alerts.map((a) => `${a.fingerprint}:${a.status}`).sort();
  return createHash('sha256')
    .update(`${n.status}|${n.truncatedAlerts}|${parts.join(',')}`)
    .digest('base64url')
    .slice(0, 22);
}

const firingOf = (alerts: Record<string, Alert>) =>
  Object.values(alerts).filter((a) => a.status === 'firing');

export function transition(
  group: IncidentGroup | undefined,
  n: AlertNotification,
  ctx: { channel: string; now: number; reopenWindowMs: number },
): { group: IncidentGroup; change: Change } | undefined {
  const digest = digestOf(n);
  const byFp = Object.fromEntries(n.alerts.map((a) => [a.fingerprint, a]));
  const common = {
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: n.externalURL,
    truncatedAlerts: n.truncatedAlerts,
    digest,
  };
  const fresh =
    !group ||
    (group.status === 'resolved' && ctx.now - (group.resolvedAt ?? 0) > ctx.reopenWindowMs);
  if (fresh) {
    if (n.status === 'resolved') return undefined; // nothing to tell about a group never seen firing
    const id = groupIdOf(n.groupKey);
    return {
      group: {
        version: group?.version ?? 0,
        groupKey: n.groupKey,
        channel: ctx.channel,
        rootRef: `alert-${id}-${ctx.now.toString(36)}`,
        status: 'firing',
        firstFiringAt: ctx.now,
        reopened: 0,
        alerts: byFp,
        ...common,
      },
      change: { type: 'opened' },
    };
  }
  if (group.digest === digest) return undefined;
  const alerts = { ...group.alerts, ...byFp };
  const next: IncidentGroup = { ...group, ...common, alerts };
  if (n.status === 'resolved') {
    if (group.status === 'resolved')
      return { group: next, change: { type: 'changed', joined: [], resolved: [] } };
    return {
      group: { ...next, status: 'resolved', resolvedAt: ctx.now },
      change: { type: 'resolved' },
    };
  }
  if (group.status === 'resolved') {
    const reopened = {
      ...next,
      alerts: byFp,
      status: 'firing' as const,
      resolvedAt: undefined,
      reopened: group.reopened + 1,
      reopenedAt: ctx.now,
    };
    return { group: reopened, change: { type: 'reopened' } };
  }
  const wasFiring = new Set(firingOf(group.alerts).map((a) => a.fingerprint));
  const joined = n.alerts.filter((a) => a.status === 'firing' && !wasFiring.has(a.fingerprint));
  const resolved = n.alerts.filter((a) => a.status === 'resolved' && wasFiring.has(a.fingerprint));
  return { group: next, change: { type: 'changed', joined, resolved } };
}

/** The alerts the root shows: those firing, or (resolved) those that fired. */
export const shownAlerts = (g: IncidentGroup): Alert[] => {
  const firing = firingOf(g.alerts);
  return g.status === 'firing' && firing.length ? firing : Object.values(g.alerts);
};
