/**
 * The silence part of an incident's root: Silence 1h / 4h / until resolved while the
 * group fires and no silence from the thread is active; once one is, who silenced it
 * and until when, with Expire silence. Buttons carry the group's key.
 */
import type { IncidentView } from '../../domain/incident.js';
import type { ActionsBlock, Block, ButtonElement } from './blocks.js';
import { plain, section } from './build.js';
import { mention, slackDate } from './escape.js';
import { LIMITS } from './limits.js';

export const SILENCE_DURATIONS = {
  '1h': { actionId: 'incident.silence.1h', label: 'Silence 1h', ms: 3_600_000 },
  '4h': { actionId: 'incident.silence.4h', label: 'Silence 4h', ms: 4 * 3_600_000 },
  /** Expired by Quorum when the group resolves; this long at most, should that never come. */
  resolved: {
    actionId: 'incident.silence.resolved',
    label: 'Silence until resolved',
    ms: 7 * 24 * 3_600_000,
  },
} as const;
export type SilenceDuration = keyof typeof SILENCE_DURATIONS;

export const EXPIRE_SILENCE_ACTION_ID = 'incident.silence.expire';

/** Whether a group key fits a button's value. */
export const fitsButton = (groupKey: string) => groupKey.length <= LIMITS.buttonValue;

const button = (
  actionId: string,
  label: string,
  value: string,
  style?: 'danger',
): ButtonElement => ({
  type: 'button',
  action_id: actionId,
  text: plain(label, LIMITS.buttonText),
  value,
  ...(style ? { style } : {}),
});

const actions = (block_id: string, elements: ButtonElement[]): ActionsBlock => ({
  type: 'actions',
  block_id,
  elements,
});

export function silenceBlocks(v: IncidentView, now: number): Block[] {
  const key = v.groupKey && fitsButton(v.groupKey) ? v.groupKey : undefined;
  const s = v.silence && v.silence.endsAt > now ? v.silence : undefined;
  if (s) {
    const until = s.untilResolved
      ? `until the alerts resolve (at the latest ${slackDate(s.endsAt)})`
      : `until ${slackDate(s.endsAt)}`;
    const blocks: Block[] = [section(`🔕 *Silenced* by ${mention(s.by)} ${until}`)];
    if (key && v.silenceable)
      blocks.push(
        actions('incident.silence', [
          button(EXPIRE_SILENCE_ACTION_ID, 'Expire silence', key, 'danger'),
        ]),
      );
    return blocks;
  }
  if (!key || !v.silenceable || v.status === 'resolved') return [];
  return [
    actions(
      'incident.silence',
      Object.values(SILENCE_DURATIONS).map((d) => button(d.actionId, d.label, key)),
    ),
  ];
}
