/**
 * Ending a silence made from the thread: an Expire silence click, and the group
 * resolving while an "until resolved" silence is active. Alertmanager first
 * (`DELETE /api/v2/silence/{id}`; one already expired counts), then the incident's
 * document by compare-and-set — only when it still holds that silence, so two clicks
 * record one expiry — and the root re-rendered. Alertmanager failing changes nothing.
 */
import type { IncidentGroup } from '../../domain/incident.js';
import { describeError } from '../../domain/errors.js';
import { escapeMrkdwn, textMessage } from '../../render/block-kit/index.js';
import { changeIncident, readIncident } from '../../state/incidents.js';
import type { IncidentDeps } from './deps.js';
import { inThread } from './say.js';
import { recordSilence, REFUSALS, showRoot, targetOf, type SilenceDeps } from './silence-common.js';

export interface ExpireClick {
  groupKey: string;
  userId: string;
}

export async function expireIncidentSilence(
  deps: SilenceDeps,
  click: ExpireClick,
): Promise<string | undefined> {
  const now = (deps.now ?? Date.now)();
  if (!(await deps.isSilencer(click.userId))) return REFUSALS.notSilencer;
  const g = await readIncident(deps.redis, deps.prefix, click.groupKey);
  if (!g) return REFUSALS.unknown;
  if (!g.silence || g.silence.endsAt <= now) return REFUSALS.noSilence;
  const target = targetOf(deps, g);
  if (!target) return REFUSALS.noAlertmanager;
  await deps.alertmanager(target).expireSilence(g.silence.id);
  const stored = await forget(deps, click.groupKey, g.silence.id);
  if (stored) {
    await showRoot(deps, stored);
    await recordSilence(
      deps,
      stored,
      {
        type: 'silence.expired',
        who: click.userId,
        action: 'Expire silence',
        outcome: 'expired',
        silenceId: g.silence.id,
      },
      now,
    );
  }
  return undefined;
}

/** The group resolved: its "until resolved" silence ends. Never throws; a failure is said in the thread. */
export async function expireOnResolve(deps: IncidentDeps, g: IncidentGroup): Promise<void> {
  const silence = g.silence;
  if (!silence?.untilResolved || !deps.alertmanager) return;
  const now = (deps.now ?? Date.now)();
  const target = targetOf(deps, g);
  try {
    if (!target) throw new Error('no Alertmanager is configured for this alert any more');
    await deps.alertmanager(target).expireSilence(silence.id);
    const stored = await forget(deps, g.groupKey, silence.id);
    if (!stored) return;
    await showRoot(deps, stored);
    await recordSilence(
      deps,
      stored,
      {
        type: 'silence.expired',
        who: 'quorum',
        action: 'Silence until resolved',
        outcome: 'resolved',
        silenceId: silence.id,
      },
      now,
    );
  } catch (err) {
    deps.logger.warn({ err, groupKey: g.groupKey }, 'silence until resolved not expired');
    await inThread(deps, g)
      .post(
        `${g.rootRef}-silence-${silence.id}-not-expired`,
        textMessage(
          `▲ The alerts resolved, but their silence could not be expired: ${escapeMrkdwn(describeError(err))} Expire it from the root (Expire silence) or in Alertmanager.`,
        ),
      )
      .catch((e: unknown) => deps.logger.warn({ err: e }, 'thread note not queued'));
  }
}

/** Drops the silence from the document when it still holds this one. */
const forget = (deps: IncidentDeps, groupKey: string, id: string) =>
  changeIncident(deps.redis, deps.prefix, groupKey, (cur) => {
    if (cur?.silence?.id !== id) return undefined;
    const { silence: _silence, ...rest } = cur;
    return rest;
  });
