/**
 * A local Slack Web API for tests and the demo playground: point SLACK_API_URL (or
 * WebClient's slackApiUrl) at `url`. It records every call, keeps the messages of
 * each channel (posts, thread replies, edits applied) and ephemeral messages, answers
 * the methods Quorum uses with Slack's JSON shapes (slack-api-state.ts), streams every
 * change to watchers, and can be told to fail the next calls of a method (429 with
 * Retry-After or without, 5xx, 413 …) or the calls whose body matches (`failWhere`).
 * Other paths can be served beside /api/ (`routes`).
 *
 *   const slack = await startSlackApi();
 *   slack.failNext('chat.postMessage', 3, 429, 1);
 *   slack.failWhere('chat.postMessage', (b) => b.text === 'too big', 413);
 *   … slack.calls('chat.postMessage'), slack.messages('C0TEST') …
 *   await slack.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  SlackState,
  type Answer,
  type Failure,
  type SlackApiCall,
  type SlackApiEvent,
  type SlackEphemeral,
  type SlackMessage,
} from './slack-api-state.js';

export type { SlackApiCall, SlackApiEvent, SlackEphemeral, SlackMessage };

export interface SlackApi {
  /** `http://127.0.0.1:PORT/api/` */
  url: string;
  port: number;
  /** Calls in arrival order, of one method or all. */
  calls(method?: string): SlackApiCall[];
  /** Messages as the channel shows them now, in posting order. */
  messages(channel?: string): SlackMessage[];
  /** Ephemeral messages in posting order (chat.postEphemeral and addEphemeral). */
  ephemerals(channel?: string): SlackEphemeral[];
  /** Record an ephemeral message, e.g. one posted to a response_url. */
  addEphemeral(e: Omit<SlackEphemeral, 'ts'>): SlackEphemeral;
  /** Every new or edited message and every ephemeral, as it happens; returns an unsubscribe. */
  watch(listener: (event: SlackApiEvent) => void): () => void;
  /**
   * The next `n` calls of `method` answer `status` (429 with `Retry-After: retryAfter`;
   * `retryAfter` null: a 429 without the header).
   */
  failNext(method: string, n: number, status?: number, retryAfter?: number | null): void;
  /**
   * Calls of `method` whose body matches `when` answer `status` — every one, or the first
   * `times`. Returns a function that lifts the rule.
   */
  failWhere(
    method: string,
    when: (body: Record<string, unknown>) => boolean,
    status: number,
    opts?: { times?: number; retryAfter?: number | null },
  ): () => void;
  /** Answer `method` with `answer(body, call)` (undefined: the default answer). */
  respond(method: string, answer: Answer): void;
  /** Members of a user group, for usergroups.users.list. */
  setUsergroup(id: string, users: string[]): void;
  close(): Promise<void>;
}

/** Serves a request outside /api/; resolves false when it does not know the path (404). */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface SlackApiOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Given the API once it exists (routes may need it), returns the handler of other paths. */
  routes?: (api: SlackApi) => ExtraRoutes;
}

export async function startSlackApi(opts: SlackApiOptions = {}): Promise<SlackApi> {
  const state = new SlackState();
  const routes: { extra?: ExtraRoutes } = {};
  const server = createServer((req, res) => {
    const served = req.url?.startsWith('/api/')
      ? handle(state, req, res).then(() => true)
      : (routes.extra?.(req, res) ?? Promise.resolve(false));
    served
      .then((done) => void (done || res.writeHead(404).end('not found')))
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closing: Promise<void> | undefined;
  const api: SlackApi = {
    url: `http://127.0.0.1:${port}/api/`,
    port,
    calls: (method) => state.calls.filter((c) => !method || c.method === method),
    messages: (channel) =>
      [...state.messages.values()].filter((m) => !channel || m.channel === channel),
    ephemerals: (channel) => state.ephemerals.filter((e) => !channel || e.channel === channel),
    addEphemeral: (e) => state.addEphemeral(e),
    watch: (listener) => state.watch(listener),
    failNext: (method, n, status = 429, retryAfter = 1) =>
      state.failures.set(method, [
        ...(state.failures.get(method) ?? []),
        ...Array<Failure>(n).fill({ status, retryAfter }),
      ]),
    failWhere: (method, when, status, opts = {}) => {
      const rule = {
        method,
        when,
        status,
        retryAfter: opts.retryAfter === undefined ? 1 : opts.retryAfter,
        left: opts.times ?? Infinity,
      };
      state.failureRules.push(rule);
      return () => void (state.failureRules = state.failureRules.filter((r) => r !== rule));
    },
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
  routes.extra = opts.routes?.(api);
  return api;
}

async function handle(state: SlackState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
  const body = parseBody(await readBody(req), req.headers['content-type']);
  const token =
    req.headers.authorization?.replace(/^Bearer /, '') ?? (body.token as string | undefined);
  const call: SlackApiCall = { method, body, status: 200, at: Date.now(), token };
  state.calls.push(call);
  const failure = state.failureFor(method, body);
  if (failure) {
    call.status = failure.status;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (failure.status === 429 && failure.retryAfter !== null) {
      headers['Retry-After'] = String(failure.retryAfter);
    }
    res.writeHead(failure.status, headers).end(
      JSON.stringify({
        ok: false,
        error: failure.status === 429 ? 'ratelimited' : 'internal_error',
      }),
    );
    return;
  }
  const answer = state.answers.get(method)?.(body, call) ?? state.answer(method, body);
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
}

export function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) req.destroy(new Error(`request body over ${limit} bytes`));
      else chunks.push(c);
    });
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
