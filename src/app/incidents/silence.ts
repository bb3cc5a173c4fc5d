/**
 * A Silence 1h / 4h / until resolved click, as a workflow. The click first claims the
 * incident's document by compare-and-set (only when no silence is active and no other
 * click holds a fresh claim), so however many clicks, on however many replicas, one
 * POSTs to Alertmanager; the others are told who is silencing. The silence — the
 * group's labels as equal matchers — is then recorded in the same document and the
 * root re-rendered. Alertmanager failing: the claim is given back, nothing else
 * changed, and the coded error goes to the clicker. Returns what to tell the clicker.
 *
 * Not covered: a process dying between Alertmanager's answer and the record leaves a
 * silence the root does not show (its comment links the thread); after the claim's
 * lease (CLAIM_MS) a new click may silence again.
 */
import { matchersOf } from '../../domain/silence.js';
import {
  incidentTitle,
  mention,
  SILENCE_DURATIONS,
  type SilenceDuration,
} from '../../render/block-kit/index.js';
import { changeIncident, readIncident } from '../../state/incidents.js';
import {
  activeSilence,
  alreadySilenced,
  recordSilence,
  REFUSALS,
  showRoot,
  targetOf,
  type SilenceDeps,
} from './silence-common.js';
import { shownAlerts } from './transition.js';

export interface SilenceClick {
  groupKey: string;
  userId: string;
  /** The Slack user's name (createdBy); the id when Slack gave none. */
  userName?: string;
  duration: SilenceDuration;
  /** The thread's permalink, for the silence's comment (asked only when a silence is made). */
  permalink?: () => Promise<string | undefined>;
}

/** How long a claim holds off other clicks: longer than one Alertmanager call can take. */
export const claimMs = (deps: SilenceDeps) =>
  Math.max(30_000, 3 * deps.config.alertmanager.timeout);

export async function silenceIncident(
  deps: SilenceDeps,
  click: SilenceClick,
): Promise<string | undefined> {
  const now = (deps.now ?? Date.now)();
  if (!(await deps.isSilencer(click.userId))) return REFUSALS.notSilencer;
  const current = await readIncident(deps.redis, deps.prefix, click.groupKey);
  if (!current) return REFUSALS.unknown;
  const target = targetOf(deps, current);
  if (!target) return REFUSALS.noAlertmanager;
  let refusal: string | undefined;
  const claimed = await changeIncident(deps.redis, deps.prefix, click.groupKey, (g) => {
    const active = g && activeSilence(g, now);
    const claim = g?.silenceClaim && now - g.silenceClaim.at < claimMs(deps) && g.silenceClaim;
    refusal = !g
      ? REFUSALS.unknown
      : g.rootRef !== current.rootRef
        ? REFUSALS.unknown
        : g.status === 'resolved'
          ? REFUSALS.resolved
          : active
            ? alreadySilenced(active)
            : claim
              ? `${mention(claim.by)} is silencing this incident right now. Nothing was changed.`
              : undefined;
    return g && !refusal ? { ...g, silenceClaim: { by: click.userId, at: now } } : undefined;
  });
  if (!claimed) return refusal ?? REFUSALS.unknown;
  const d = SILENCE_DURATIONS[click.duration];
  const endsAt = now + d.ms;
  let id: string;
  try {
    const permalink = await click.permalink?.();
    id = await deps.alertmanager(target).createSilence({
      matchers: matchersOf(claimed.groupLabels ?? {}),
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
      createdBy: click.userName || click.userId,
      comment: commentOf(claimed, permalink),
    });
  } catch (err) {
    await release(deps, click, now).catch((e: unknown) =>
      deps.logger.warn({ err: e }, 'silence claim not given back; it lapses by itself'),
    );
    throw err;
  }
  const silence = { id, by: click.userId, endsAt, untilResolved: click.duration === 'resolved' };
  const stored = await changeIncident(deps.redis, deps.prefix, click.groupKey, (g) => {
    if (!g || g.rootRef !== claimed.rootRef) return undefined;
    const { silenceClaim: _claim, ...rest } = g;
    return { ...rest, silence };
  });
  if (!stored) {
    // The incident went away under the click (a new thread): take the silence back.
    await deps.alertmanager(target).expireSilence(id);
    return REFUSALS.unknown;
  }
  await showRoot(deps, stored);
  await recordSilence(
    deps,
    stored,
    {
      type: 'silence.created',
      who: click.userId,
      action: d.label,
      outcome: 'created',
      silenceId: id,
    },
    now,
  );
  return undefined;
}

function commentOf(g: Parameters<typeof shownAlerts>[0], permalink?: string): string {
  const title = incidentTitle({ ...g, alerts: shownAlerts(g) });
  return `Silenced from Slack (Quorum): ${title}${permalink ? ` — ${permalink}` : ''}`;
}

/** Gives the claim back (only this click's own). */
async function release(deps: SilenceDeps, click: SilenceClick, at: number) {
  await changeIncident(deps.redis, deps.prefix, click.groupKey, (g) => {
    if (!g?.silenceClaim || g.silenceClaim.by !== click.userId || g.silenceClaim.at !== at)
      return undefined;
    const { silenceClaim: _claim, ...rest } = g;
    return rest;
  });
}
