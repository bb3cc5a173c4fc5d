/**
 * Saying what changed in an incident's thread, through the outbox: the root message
 * (posted under its ref when the incident opens, edited after), a reply for what
 * changed, and a line for the post-mortem of the thread's runbook run.
 */
import { alertName } from '../../domain/alert.js';
import type { IncidentGroup } from '../../domain/incident.js';
import {
  alertsChangedMessage,
  incidentReopenedMessage,
  incidentResolvedMessage,
  incidentRootMessage,
  type SlackMessage,
} from '../../render/block-kit/index.js';
import { appendRunAlert } from '../../state/runbook-runs.js';
import { threadWriter } from '../thread-writer.js';
import type { IncidentDeps } from './deps.js';
import { editRoot, runOf, viewOf, type RootDeps } from './root.js';
import { shownAlerts, type Change } from './transition.js';

/** What the root needs of the incident workflow's deps. */
export const rootDeps = (deps: IncidentDeps): RootDeps => ({
  ...deps,
  runbooks: deps.engine?.runbooks ?? [],
});

/** The incident's thread: replies wait for its root (posted under `rootRef`). */
export const inThread = (deps: IncidentDeps, g: IncidentGroup) =>
  threadWriter(deps.outbox, { channel: g.channel, ref: g.rootRef });

export async function say(deps: IncidentDeps, g: IncidentGroup, change: Change, now: number) {
  const id = `${g.rootRef}-v${g.version}`;
  const reply = (m: SlackMessage) => inThread(deps, g).post(`${id}-reply`, m);
  const timeline = (text: string) => noteForPostMortem(deps, g, text, now);
  const roots = rootDeps(deps);
  if (change.type === 'opened') {
    // Its run starts after this post: the root shows none yet.
    const root = incidentRootMessage(viewOf(roots, g, undefined), now);
    await threadWriter(deps.outbox, { channel: g.channel }).post(`${id}-root`, root, g.rootRef);
    await timeline(`Alert firing: ${shownAlerts(g).map(alertName).join(', ')}`);
    return;
  }
  // One read of the run serves the root and the reply.
  const run = await runOf(roots, g);
  await editRoot(roots, g, run);
  if (change.type === 'resolved') {
    await reply(incidentResolvedMessage(viewOf(roots, g, run), now));
    await timeline('All alerts of the group resolved');
  } else if (change.type === 'reopened') {
    await reply(incidentReopenedMessage(viewOf(roots, g, run)));
    await timeline('Firing again (reopened)');
  } else if (change.joined.length || change.resolved.length) {
    await reply(alertsChangedMessage(change.joined, change.resolved, g.truncatedAlerts));
    if (change.joined.length) await timeline(`Joined: ${change.joined.map(alertName).join(', ')}`);
    if (change.resolved.length)
      await timeline(`Resolved: ${change.resolved.map(alertName).join(', ')}`);
  }
}

/** Alert lines for the run's post-mortem (the engine reads them when the run ends). */
async function noteForPostMortem(deps: IncidentDeps, g: IncidentGroup, text: string, at: number) {
  if (g.runId) await appendRunAlert(deps.redis, deps.prefix, g.runId, { at, text });
}
