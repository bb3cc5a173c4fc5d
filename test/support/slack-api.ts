/**
 * A local Slack Web API for tests: point SLACK_API_URL (or WebClient's slackApiUrl)
 * at `url`. It records every call, keeps the messages of each channel (posts, thread
 * replies, edits applied), answers the methods Quorum uses with Slack's JSON shapes,
 * and can be told to fail the next calls of a method (429 with Retry-After, or 5xx).
 *
 *   const slack = await startSlackApi();
 *   slack.failNext('chat.postMessage', 3, 429, 1);
 *   … slack.calls('chat.postMessage'), slack.messages('C0TEST') …
 *   await slack.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

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

/** `call` carries the bearer token (e.g. to tell an app-level `xapp-` token from a bot token). */
type Answer = (
  body: Record<string, unknown>,
  call: SlackApiCall,
) => Record<string, unknown> | undefined;

export interface SlackApi {
  /** `http://127.0.0.1:PORT/api/` */
  url: string;
  /** Calls in arrival order, of one method or all. */
  calls(method?: string): SlackApiCall[];
  /** Messages as the channel shows them now, in posting order. */
  messages(channel?: string): SlackMessage[];
  /** The next `n` calls of `method` answer `status` (429 with `Retry-After: retryAfter`). */
  failNext(method: string, n: number, status?: number, retryAfter?: number): void;
  /** Answer `method` with `answer(body, call)` (undefined: the default answer). */
  respond(method: string, answer: Answer): void;
  /** Members of a user group, for usergroups.users.list. */
  setUsergroup(id: string, users: string[]): void;
  close(): Promise<void>;
}

export async function startSlackApi(): Promise<SlackApi> {
  const state = new SlackState();
  const server = createServer((req, res) => {
    handle(state, req, res).catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls: (method) => state.calls.filter((c) => !method || c.method === method),
    messages: (channel) =>
      [...state.messages.values()].filter((m) => !channel || m.channel === channel),
    failNext: (method, n, status = 429, retryAfter = 1) =>
      state.failures.set(method, [
        ...(state.failures.get(method) ?? []),
        ...Array<{ status: number; retryAfter: number }>(n).fill({ status, retryAfter }),
      ]),
    respond: (method, answer) => void state.answers.set(method, answer),
    setUsergroup: (id, users) => void state.usergroups.set(id, users),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

class SlackState {
  calls: SlackApiCall[] = [];
  messages = new Map<string, SlackMessage>();
  failures = new Map<string, { status: number; retryAfter: number }[]>();
  answers = new Map<string, Answer>();
  usergroups = new Map<string, string[]>();
  private seq = 0;

  nextTs(): string {
    this.seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}`;
  }
}

async function handle(state: SlackState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
  const body = parseBody(await readBody(req), req.headers['content-type']);
  const token =
    req.headers.authorization?.replace(/^Bearer /, '') ?? (body.token as string | undefined);
  const call: SlackApiCall = { method, body, status: 200, at: Date.now(), token };
  state.calls.push(call);
  const failure = state.failures.get(method)?.shift();
  if (failure) {
    call.status = failure.status;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (failure.status === 429) headers['Retry-After'] = String(failure.retryAfter);
    res.writeHead(failure.status, headers).end(
      JSON.stringify({
        ok: false,
        error: failure.status === 429 ? 'ratelimited' : 'internal_error',
      }),
    );
    return;
  }
  const answer = state.answers.get(method)?.(body, call) ?? defaultAnswer(state, method, body);
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
}

function defaultAnswer(
  state: SlackState,
  method: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
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
    case 'chat.postMessage': {
      if (!channel) return { ok: false, error: 'channel_not_found' };
      const ts = state.nextTs();
      const threadTs = body.thread_ts === undefined ? undefined : str(body.thread_ts);
      const message: SlackMessage = {
        channel,
        ts,
        text: str(body.text),
        threadTs,
        blocks: body.blocks,
        history: [],
      };
      state.messages.set(`${channel}/${ts}`, message);
      return { ok: true, channel, ts, message: slackShape(message) };
    }
    case 'chat.update': {
      const message = state.messages.get(`${channel}/${str(body.ts)}`);
      if (!message) return { ok: false, error: 'message_not_found' };
      message.history.push(message.text);
      message.text = str(body.text);
      message.blocks = body.blocks;
      return {
        ok: true,
        channel,
        ts: message.ts,
        text: message.text,
        message: slackShape(message),
      };
    }
    case 'chat.postEphemeral':
      return { ok: true, message_ts: state.nextTs() };
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
    case 'usergroups.users.list': {
      const users = state.usergroups.get(str(body.usergroup));
      return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
    }
    default:
      return { ok: false, error: 'unknown_method' };
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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string, type: string | undefined): Record<string, unknown> {
  if (!text) return {};
  if (type?.includes('application/json')) return JSON.parse(text) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    out[key] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return out;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A form field as text ('' when absent). */
function str(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
