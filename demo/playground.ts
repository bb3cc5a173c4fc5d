/**
 * The playground: one Slack channel in a browser page, served beside the local Slack
 * Web API (test/support/slack-api.ts) that Quorum talks to through SLACK_API_URL.
 *
 *   GET  /playground             the page (demo/public/: plain HTML, CSS and one script)
 *   GET  /playground/events      server-sent events: messages, edits, ephemerals, notes
 *   POST /playground/command     {user, text}: a signed slash command to Quorum
 *   POST /playground/action      {user, messageTs, actionId, value, …}: a signed button click
 *   POST /playground/alert       a sample Alertmanager notification
 *   POST /playground/respond/ID  the response_url Quorum answers user ID through
 *
 * The page's POSTs must be JSON, which a cross-site form cannot send without CORS.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { SLASH_COMMANDS } from '../src/transport/slack/register.js';
import { readBody, type ExtraRoutes, type SlackApi } from '../test/support/slack-api.js';
import { EventLog } from './event-log.js';
import {
  sendClick,
  sendCommand,
  sendSampleAlert,
  type DemoUser,
  type QuorumAnswer,
  type QuorumTarget,
} from './quorum-requests.js';
import { publicDir } from './public-dir.js';

export interface PlaygroundOptions {
  /** Filled in once Quorum listens (the playground starts first: Quorum needs its API URL). */
  quorum: () => Omit<QuorumTarget, 'responseUrl'> | undefined;
  users: DemoUser[];
  /** The one channel the page shows; Quorum's alert channel too. */
  channel: { id: string; name: string };
  cluster: string;
  /** Shown on the page: what runs where. */
  info: () => Record<string, string>;
}

const STATIC: Record<string, [file: string, type: string]> = {
  '/playground': ['index.html', 'text/html; charset=utf-8'],
  '/playground/': ['index.html', 'text/html; charset=utf-8'],
  '/playground/playground.js': ['playground.js', 'text/javascript; charset=utf-8'],
  '/playground/playground.css': ['playground.css', 'text/css; charset=utf-8'],
};

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function playgroundRoutes(opts: PlaygroundOptions): (api: SlackApi) => ExtraRoutes {
  return (api) => {
    const log = new EventLog();
    log.push('hello', { users: opts.users, channel: opts.channel, cluster: opts.cluster });
    api.watch((event) => log.push(event.type, event));
    const ctx = { api, log, opts };
    return async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = `${req.method ?? 'GET'} ${url.pathname}`;
      if (route === 'GET /' || route === 'GET /favicon.ico') {
        res.writeHead(url.pathname === '/' ? 302 : 404, { Location: '/playground' }).end();
        return true;
      }
      const file = req.method === 'GET' ? STATIC[url.pathname] : undefined;
      if (file) {
        const body = await readFile(path.join(publicDir(), file[0]));
        res.writeHead(200, { 'Content-Type': file[1], ...SECURITY_HEADERS }).end(body);
        return true;
      }
      if (route === 'GET /playground/events') {
        log.serve(req, res);
        return true;
      }
      if (route === 'GET /playground/info') return json(res, 200, opts.info());
      if (req.method === 'POST' && url.pathname.startsWith('/playground/respond/')) {
        return respondRoute(ctx, req, res, url.pathname.slice('/playground/respond/'.length));
      }
      if (req.method === 'POST' && url.pathname.startsWith('/playground/')) {
        return pageAction(ctx, req, res, url.pathname.slice('/playground/'.length));
      }
      return false;
    };
  };
}

interface Ctx {
  api: SlackApi;
  log: EventLog;
  opts: PlaygroundOptions;
}

function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  return true;
}

/** Quorum answering a user through the response_url it was given: an ephemeral message. */
async function respondRoute(ctx: Ctx, req: IncomingMessage, res: ServerResponse, id: string) {
  const user = ctx.opts.users.find((u) => u.id === decodeURIComponent(id));
  if (!user) return json(res, 404, { ok: false, error: 'unknown user' });
  const body = JSON.parse((await readBody(req)) || '{}') as { text?: unknown; blocks?: unknown };
  ctx.api.addEphemeral({
    channel: ctx.opts.channel.id,
    user: user.id,
    text: typeof body.text === 'string' ? body.text : '',
    blocks: body.blocks,
  });
  return json(res, 200, { ok: true });
}

async function pageAction(ctx: Ctx, req: IncomingMessage, res: ServerResponse, action: string) {
  if (!req.headers['content-type']?.startsWith('application/json')) {
    return json(res, 415, { ok: false, error: 'send JSON' });
  }
  const quorum = ctx.opts.quorum();
  if (!quorum) return json(res, 503, { ok: false, error: 'Quorum is still starting' });
  const input = JSON.parse((await readBody(req, 64 * 1024)) || '{}') as Record<string, unknown>;
  const user = ctx.opts.users.find((u) => u.id === input.user);
  const target: QuorumTarget = {
    ...quorum,
    responseUrl: (u) => `${ctx.api.url.replace(/\/api\/$/, '')}/playground/respond/${u.id}`,
  };
  if (action === 'alert') {
    const status = await sendSampleAlert(target, ctx.opts.cluster);
    ctx.log.push('note', {
      user: user?.id,
      text: `Alertmanager sent etcdDatabaseQuotaLowSpace (HTTP ${status})`,
    });
    return json(res, 200, { ok: status < 300, status });
  }
  if (!user) return json(res, 400, { ok: false, error: 'unknown user' });
  if (action === 'command')
    return command(ctx, target, user, typeof input.text === 'string' ? input.text : '', res);
  if (action === 'action') {
    const str = (key: string) => (typeof input[key] === 'string' ? input[key] : undefined);
    const answer = await sendClick(target, user, {
      messageTs: str('messageTs') ?? '',
      threadTs: str('threadTs'),
      actionId: str('actionId') ?? '',
      value: str('value') ?? '',
      blockId: str('blockId'),
    });
    showAnswer(ctx, user, answer);
    return json(res, 200, { ok: answer.status === 200, status: answer.status });
  }
  return false;
}

async function command(
  ctx: Ctx,
  target: QuorumTarget,
  user: DemoUser,
  line: string,
  res: ServerResponse,
) {
  const [, name = '', text = ''] = /^\s*(\S*)\s*([\s\S]*?)\s*$/.exec(line) ?? [];
  if (!SLASH_COMMANDS.includes(name)) {
    const known = SLASH_COMMANDS.map((c) => `\`${c}\``).join(', ');
    ctx.api.addEphemeral({
      channel: ctx.opts.channel.id,
      user: user.id,
      text: `\`${escape(name || line)}\` is not a command Quorum has. Try one of ${known}.`,
    });
    return json(res, 200, { ok: false });
  }
  ctx.log.push('note', { user: user.id, text: `${name}${text ? ` ${text}` : ''}`, command: true });
  const answer = await sendCommand(target, user, name, text);
  showAnswer(ctx, user, answer);
  return json(res, 200, { ok: answer.status === 200, status: answer.status });
}

/** An ack with a message is what Slack shows the user as an ephemeral; an error status too. */
function showAnswer(ctx: Ctx, user: DemoUser, answer: QuorumAnswer): void {
  if (answer.status !== 200) {
    ctx.api.addEphemeral({
      channel: ctx.opts.channel.id,
      user: user.id,
      text: `Quorum answered HTTP ${answer.status}${answer.body?.text ? `: ${escape(answer.body.text)}` : ''}`,
    });
  } else if (answer.body?.text || answer.body?.blocks) {
    ctx.api.addEphemeral({
      channel: ctx.opts.channel.id,
      user: user.id,
      text: answer.body.text ?? '',
      blocks: answer.body.blocks,
    });
  }
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
