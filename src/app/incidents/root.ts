/**
 * An incident's root message, rendered from everything it shows: the group's alerts
 * and, when a runbook runs in the thread, where the run stands (an alert resolved while
 * steps still wait is not over). Root edits are urgent in the outbox: an incident's
 * state change goes before thread chatter. The runbook engine calls refreshRootOfRun
 * after each change of a run, so the root turns to "Resolved" only when both are over.
 */
import type { IncidentGroup, IncidentView } from '../../domain/incident.js';
import type { Logger } from '../../domain/logger.js';
import type { OutboxWriter } from '../../domain/outbox-message.js';
import type { RunbookRun } from '../../domain/runbook-run.js';
import type { Runbook } from '../../domain/runbook.js';
import { runStanding } from '../../operations/runbooks/standing.js';
import { incidentRootMessage } from '../../render/block-kit/index.js';
import { incidentOfRun } from '../../state/incidents.js';
import type { StateRedis } from '../../state/redis.js';
import { readRun } from '../../state/runbook-runs.js';
import { threadWriter } from '../thread-writer.js';
import { shownAlerts } from './transition.js';

export interface RootDeps {
  redis: StateRedis;
  prefix: string;
  outbox: OutboxWriter;
  runbooks: readonly Runbook[];
  logger: Logger;
  now?: () => number;
}

/** The group's runbook run as stored now, if it has one. */
export const runOf = (deps: Pick<RootDeps, 'redis' | 'prefix'>, g: IncidentGroup) =>
  g.runId ? readRun(deps.redis, deps.prefix, g.runId) : Promise.resolve(undefined);

/** The group as its root shows it, with where `run` (the group's run, read by the caller) stands. */
export function viewOf(
  deps: Pick<RootDeps, 'runbooks'>,
  g: IncidentGroup,
  run: RunbookRun | undefined,
): IncidentView {
  const runbook = run && deps.runbooks.find((r) => r.id === run.runbook);
  return {
    ...g,
    alerts: shownAlerts(g),
    ...(run && runbook ? { run: runStanding(run, runbook) } : {}),
  };
}

/**
 * Edits the root to show `g` now, with its run (read here unless given); the id names
 * both versions, so a repeat is a no-op.
 */
export async function editRoot(deps: RootDeps, g: IncidentGroup, run?: RunbookRun) {
  const now = (deps.now ?? Date.now)();
  const current = run ?? (await runOf(deps, g));
  const view = viewOf(deps, g, current);
  const id = `${g.rootRef}-v${g.version}-r${current?.version ?? 0}-root`;
  await threadWriter(deps.outbox, { channel: g.channel }).edit(
    g.rootRef,
    id,
    incidentRootMessage(view, now),
    { urgent: true },
  );
}

/** A run changed: its incident's root shows where it stands (runs started by hand have none). */
export async function refreshRootOfRun(deps: RootDeps, run: RunbookRun): Promise<void> {
  const g = await incidentOfRun(deps.redis, deps.prefix, run.id);
  if (g?.runId === run.id) await editRoot(deps, g, run);
}
