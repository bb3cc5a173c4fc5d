/**
 * What the silence workflows share: their deps, which Alertmanager a stored group
 * goes to, whether a silence is active, re-rendering the root, the audit entry and
 * the refusals a clicker is told.
 */
import type { AlertNotification } from '../../domain/alert.js';
import type { ApproverCheck } from '../../domain/approval.js';
import type { AuditEventType } from '../../domain/audit.js';
import type { IncidentGroup, IncidentSilence } from '../../domain/incident.js';
import type { AlertmanagerConnector } from '../../domain/silence.js';
import { fitsButton, mention, slackDate } from '../../render/block-kit/index.js';
import { appendAudit } from '../../state/audit.js';
import { appendRunAlert } from '../../state/runbook-runs.js';
import { alertmanagerFor } from './alertmanager-target.js';
import type { IncidentDeps } from './deps.js';
import { editRoot } from './root.js';
import { clusterOf, labelsOf } from './route.js';
import { rootDeps } from './say.js';

export type SilenceDeps = IncidentDeps & {
  alertmanager: AlertmanagerConnector;
  /** QUORUM_SILENCERS, else the approvers. */
  isSilencer: ApproverCheck;
};

export const REFUSALS = {
  notSilencer:
    'Only silencers (QUORUM_SILENCERS, else the approvers) can silence or expire from the thread. Nothing was changed.',
  unknown: 'This incident is unknown (or too old). Nothing was changed.',
  noAlertmanager:
    'No Alertmanager is configured for this alert (QUORUM_ALERTMANAGER_URL, or alertmanager.url of its route or cluster), or its group has no labels to match. Nothing was changed.',
  resolved: 'This incident is resolved: there is nothing to silence. Nothing was changed.',
  noSilence: 'No silence from this thread is active. Nothing was changed.',
};

export const alreadySilenced = (s: IncidentSilence) =>
  `Already silenced by ${mention(s.by)} ${s.untilResolved ? 'until the alerts resolve' : `until ${slackDate(s.endsAt)}`}. Nothing was changed.`;

export const activeSilence = (g: IncidentGroup, now: number) =>
  g.silence && g.silence.endsAt > now ? g.silence : undefined;

/** The labels a stored group routes by: as route.ts's labelsOf for its notification. */
const labelsOfGroup = (g: IncidentGroup) =>
  labelsOf({
    alerts: Object.values(g.alerts),
    groupLabels: g.groupLabels ?? {},
    commonLabels: g.commonLabels,
  } as AlertNotification);

export const targetOf = (deps: IncidentDeps, g: IncidentGroup) =>
  g.groupLabels && Object.keys(g.groupLabels).length
    ? alertmanagerFor(deps.config, labelsOfGroup(g))
    : undefined;

export const clusterOfGroup = (deps: IncidentDeps, g: IncidentGroup) =>
  clusterOf(deps.config, labelsOfGroup(g)) ?? '-';

/** A group as a notification leaves it: its groupLabels kept, and whether silences are offered. */
export function withSilencing(
  deps: IncidentDeps,
  n: AlertNotification,
  g: IncidentGroup,
): IncidentGroup {
  const next = { ...g, groupLabels: n.groupLabels };
  const silenceable =
    Boolean(deps.alertmanager && targetOf(deps, next)) && fitsButton(next.groupKey);
  return { ...next, silenceable };
}

/** The root again, as the stored group now is (root.ts: with its run's standing, urgent). */
export const showRoot = (deps: IncidentDeps, g: IncidentGroup) => editRoot(rootDeps(deps), g);

/** The audit entry, and a line for the post-mortem of the thread's run; neither may fail the click. */
export async function recordSilence(
  deps: IncidentDeps,
  g: IncidentGroup,
  e: { type: AuditEventType; who: string; action: string; outcome: string; silenceId: string },
  at: number,
) {
  await appendAudit(deps.redis, deps.prefix, {
    type: e.type,
    who: e.who,
    cluster: clusterOfGroup(deps, g),
    action: e.action,
    params: {
      silenceId: e.silenceId,
      groupKey: g.groupKey,
      matchers: Object.entries(g.groupLabels ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join(','),
    },
    outcome: e.outcome,
    at,
  }).catch((err: unknown) => deps.logger.warn({ err }, 'audit log not written'));
  if (g.runId)
    await appendRunAlert(deps.redis, deps.prefix, g.runId, {
      at,
      text: `${e.action} (${e.outcome}) by ${mention(e.who)}`,
    }).catch((err: unknown) => deps.logger.warn({ err }, 'post-mortem line not written'));
}
