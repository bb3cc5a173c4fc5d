/** A new incident whose alert a runbook matches: the run starts in the incident's thread. */
import { describeError } from '../../domain/errors.js';
import type { IncidentGroup } from '../../domain/incident.js';
import { resolveParams } from '../../operations/runbooks/match.js';
import { escapeMrkdwn, textMessage } from '../../render/block-kit/index.js';
import type { RunbookEngine } from '../runbooks/engine.js';
import type { IncidentDeps } from './deps.js';
import { clusterOf } from './route.js';
import { inThread } from './say.js';

export async function startRunbook(
  deps: IncidentDeps & { engine: RunbookEngine },
  g: IncidentGroup,
  labels: Record<string, string>,
): Promise<void> {
  const { engine } = deps;
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
    await engine.start({
      runbook: runbook.id,
      cluster,
      params: resolveParams(runbook, labels),
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
