/**
 * What the local Slack Web API (slack-api.ts) keeps: the calls, each channel's
 * messages with their edits, ephemeral messages, and the default answers to the
 * methods Quorum uses, in Slack's JSON shapes. Every change is also sent to the
 * watchers (the playground streams them to its page).
 */

export interface SlackApiCall {
  method: string;
  /** Form fields, JSON-decoded where they hold JSON (blocks), or the JSON body. */
  body: Record<string, unknown>;
  /** The HTTP status answered. */
  status: number;
  /** Date.now() on arrival. */
  at: number;
  token?: string;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  threadTs?: string;
  blocks?: unknown;
  /** Texts before each edit, oldest first. */
  history: string[];
}

/** A message only one user sees: chat.postEphemeral, or an answer through a response_url. */
export interface SlackEphemeral {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks?: unknown;
}

export type SlackApiEvent =
  | { type: 'message'; message: SlackMessage; edited: boolean }
  | { type: 'ephemeral'; ephemeral: SlackEphemeral };

/** `call` carries the bearer token (e.g. to tell an app-level `xapp-` token from a bot token). */
export type Answer = (
  body: Record<string, unknown>,
  call: SlackApiCall,
) => Record<string, unknown> | undefined;

/** An HTTP failure to answer: `retryAfter` seconds in a 429's Retry-After (null: no header). */
export interface Failure {
  status: number;
  retryAfter: number | null;
}

export interface FailureRule extends Failure {
  method: string;
  when: (body: Record<string, unknown>) => boolean;
  /** How many more matching calls fail (Infinity: all). */
  left: number;
}

export class SlackState {
  calls: SlackApiCall[] = [];
  messages = new Map<string, SlackMessage>();
  ephemerals: SlackEphemeral[] = [];
  /** The next answers of a method, by failNext. */
  failures = new Map<string, Failure[]>();
  /** Calls answered with a status when their body matches, by failWhere. */
  failureRules: FailureRule[] = [];
  answers = new Map<string, Answer>();
  usergroups = new Map<string, string[]>();
  private readonly watchers = new Set<(event: SlackApiEvent) => void>();
  private seq = 0;

  /** The failure the next call of `method` with `body` gets, if any (failNext first). */
  failureFor(method: string, body: Record<string, unknown>): Failure | undefined {
    const next = this.failures.get(method)?.shift();
    if (next) return next;
    const rule = this.failureRules.find((r) => r.method === method && r.left > 0 && r.when(body));
    if (!rule) return undefined;
    rule.left -= 1;
    return { status: rule.status, retryAfter: rule.retryAfter };
  }

  nextTs(): string {
    this.seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}`;
  }

  watch(listener: (event: SlackApiEvent) => void): () => void {
    this.watchers.add(listener);
    return () => void this.watchers.delete(listener);
  }

  addEphemeral(e: Omit<SlackEphemeral, 'ts'>): SlackEphemeral {
    const ephemeral = { ...e, ts: this.nextTs() };
    this.ephemerals.push(ephemeral);
    this.emit({ type: 'ephemeral', ephemeral });
    return ephemeral;
  }

  private emit(event: SlackApiEvent): void {
    for (const watcher of this.watchers) watcher(event);
  }

  answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    const channel = str(body.channel);
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://quorum-test.slack.com/',
          team: 'Quorum Test',
          user: 'quorum',
          team_id: 'T0TEST',
          user_id: 'U0QUORUM',
          bot_id: 'B0QUORUM',
        };
      case 'chat.postMessage':
        return this.post(channel, body);
      case 'chat.update':
        return this.update(channel, body);
      case 'chat.postEphemeral': {
        const e = this.addEphemeral({
          channel,
          user: str(body.user),
          text: str(body.text),
          blocks: body.blocks,
        });
        return { ok: true, message_ts: e.ts };
      }
      case 'conversations.info':
        return {
          ok: true,
          channel: {
            id: channel,
            name: `channel-${channel.toLowerCase()}`,
            is_channel: true,
            is_private: false,
            is_member: true,
          },
        };
      case 'chat.getPermalink': {
        // Slack's shape: https://WORKSPACE.slack.com/archives/CHANNEL/p + the ts without its dot.
        const ts = str(body.message_ts);
        if (!this.messages.has(`${channel}/${ts}`))
          return { ok: false, error: 'message_not_found' };
        const permalink = `https://quorum-test.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
        return { ok: true, channel, permalink };
      }
      case 'usergroups.users.list': {
        const users = this.usergroups.get(str(body.usergroup));
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private post(channel: string, body: Record<string, unknown>): Record<string, unknown> {
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const ts = this.nextTs();
    const threadTs = body.thread_ts === undefined ? undefined : str(body.thread_ts);
    const message: SlackMessage = {
      channel,
      ts,
      text: str(body.text),
      threadTs,
      blocks: body.blocks,
      history: [],
    };
    this.messages.set(`${channel}/${ts}`, message);
    this.emit({ type: 'message', message, edited: false });
    return { ok: true, channel, ts, message: slackShape(message) };
  }

  private update(channel: string, body: Record<string, unknown>): Record<string, unknown> {
    const message = this.messages.get(`${channel}/${str(body.ts)}`);
    if (!message) return { ok: false, error: 'message_not_found' };
    message.history.push(message.text);
    message.text = str(body.text);
    message.blocks = body.blocks;
    this.emit({ type: 'message', message, edited: true });
    return { ok: true, channel, ts: message.ts, text: message.text, message: slackShape(message) };
  }
}

function slackShape(m: SlackMessage): Record<string, unknown> {
  return {
    type: 'message',
    user: 'U0QUORUM',
    bot_id: 'B0QUORUM',
    text: m.text,
    ts: m.ts,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.blocks ? { blocks: m.blocks } : {}),
  };
}

/** A form field as text ('' when absent). */
export function str(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
