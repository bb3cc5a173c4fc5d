/**
 * Silence 1h / 4h / until resolved and Expire silence clicks on an incident's root, as
 * Slack delivers them: ack, hand the click to app/incidents/silence*.ts with the
 * thread's permalink (chat.getPermalink, asked only when a silence is made), and tell
 * the clicker — refusals and failures (ALERTMANAGER_UNREACHABLE …) — ephemerally.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { expireIncidentSilence } from '../../app/incidents/silence-expire.js';
import type { SilenceDeps } from '../../app/incidents/silence-common.js';
import { silenceIncident } from '../../app/incidents/silence.js';
import { toUserError } from '../../domain/user-error.js';
import {
  errorMessage,
  EXPIRE_SILENCE_ACTION_ID,
  SILENCE_DURATIONS,
  type SilenceDuration,
} from '../../render/block-kit/index.js';

export function registerSilenceActions(app: App, deps: SilenceDeps): void {
  const on = (
    actionId: string,
    act: (args: {
      body: BlockAction<ButtonAction>;
      groupKey: string;
      permalink: () => Promise<string | undefined>;
    }) => Promise<string | undefined>,
  ) =>
    app.action<BlockAction<ButtonAction>>(
      actionId,
      async ({ ack, body, action, respond, client }) => {
        await ack();
        const answer = async (m: { text: string; blocks?: unknown[] }) =>
          void (await respond({ response_type: 'ephemeral', replace_original: false, ...m }));
        const container = body.container as
          { channel_id?: string; message_ts?: string } | undefined;
        const channel: string | undefined = body.channel?.id ?? container?.channel_id;
        const ts: string | undefined = body.message?.ts ?? container?.message_ts;
        const permalink = async () => {
          if (!channel || !ts) return undefined;
          const res = await client.chat
            .getPermalink({ channel, message_ts: ts })
            .catch((err: unknown) => {
              deps.logger.warn({ err }, 'no permalink for the silence comment');
              return undefined;
            });
          return res?.permalink;
        };
        try {
          const told = await act({ body, groupKey: action.value ?? '', permalink });
          if (told) await answer({ text: told });
        } catch (err) {
          deps.logger.error({ err, trigger: body.trigger_id }, 'silence click failed');
          await answer(errorMessage(toUserError(err, `trigger id ${body.trigger_id}`)));
        }
      },
    );

  for (const [duration, d] of Object.entries(SILENCE_DURATIONS))
    on(d.actionId, ({ body, groupKey, permalink }) =>
      silenceIncident(deps, {
        groupKey,
        userId: body.user.id,
        userName: body.user.username ?? body.user.name,
        duration: duration as SilenceDuration,
        permalink,
      }),
    );
  on(EXPIRE_SILENCE_ACTION_ID, ({ body, groupKey }) =>
    expireIncidentSilence(deps, { groupKey, userId: body.user.id }),
  );
}
