/**
 * Requests as Slack sends them to /slack/events: form-encoded slash commands and
 * interactivity payloads, signed with the signing secret (v0 HMAC-SHA256).
 */
import { createHmac } from 'node:crypto';

export interface SlackRequestOptions {
  secret: string;
  /** Seconds since the epoch; defaults to now. Old values test replay protection. */
  timestamp?: number;
  /** Sign with this secret instead (a forged request). */
  signWith?: string;
}

export function signSlack(body: string, opts: SlackRequestOptions): Record<string, string> {
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const sig = createHmac('sha256', opts.signWith ?? opts.secret)
    .update(`v0:${ts}:${body}`)
    .digest('hex');
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': ts,
    'x-slack-signature': `v0=${sig}`,
  };
}

export interface SlashCommand {
  command: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  trigger_id?: string;
  response_url?: string;
}

export function slashCommandBody(c: SlashCommand): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0QUORUM',
    team_domain: 'quorum-test',
    channel_id: c.channel_id ?? 'C0OPS',
    channel_name: 'ops',
    user_id: c.user_id ?? 'U0ALICE',
    user_name: c.user_name ?? 'alice',
    command: c.command,
    text: c.text ?? '',
    api_app_id: 'A0QUORUM',
    is_enterprise_install: 'false',
    response_url: c.response_url ?? 'https://hooks.slack.com/commands/T0QUORUM/1/abc',
    trigger_id: c.trigger_id ?? `${Date.now()}.${Math.floor(Math.random() * 1e9)}.trigger`,
  }).toString();
}

export function blockActionBody(p: {
  actionId: string;
  value: string;
  userId: string;
  /** Default: the user id in lower case. */
  userName?: string;
  channel?: string;
  messageTs: string;
  /** The thread the clicked message is in, when it is a reply. */
  threadTs?: string;
  blockId?: string;
  responseUrl?: string;
}): string {
  const name = p.userName ?? p.userId.toLowerCase();
  const payload = {
    type: 'block_actions',
    team: { id: 'T0QUORUM', domain: 'quorum-test' },
    user: {
      id: p.userId,
      username: name,
      name,
      team_id: 'T0QUORUM',
    },
    api_app_id: 'A0QUORUM',
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: p.messageTs,
      channel_id: p.channel ?? 'C0OPS',
      is_ephemeral: false,
      ...(p.threadTs ? { thread_ts: p.threadTs } : {}),
    },
    trigger_id: `${Date.now()}.trigger`,
    channel: { id: p.channel ?? 'C0OPS', name: 'ops' },
    message: {
      type: 'message',
      ts: p.messageTs,
      text: 'approval',
      user: 'U0QUORUMBOT',
      bot_id: 'B0QUORUM',
      ...(p.threadTs ? { thread_ts: p.threadTs } : {}),
    },
    response_url: p.responseUrl ?? 'https://hooks.slack.com/actions/T0QUORUM/1/abc',
    actions: [
      {
        type: 'button',
        action_id: p.actionId,
        block_id: p.blockId ?? 'approval',
        value: p.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** POSTs `body` to `${base}/slack/events`, signed as Slack signs it. */
export function postSigned(base: string, body: string, secret: string): Promise<Response> {
  return fetch(`${base}/slack/events`, {
    method: 'POST',
    body,
    headers: signSlack(body, { secret }),
  });
}
