/**
 * POST /alerts/alertmanager: the Alertmanager webhook (payload version 4). Checks the
 * bearer token (401), the size (413), the JSON and its shape (400, naming the
 * problem), enqueues and answers 202 at once; the thread work happens in the alert
 * consumer. A Redis outage answers 503, so Alertmanager retries.
 *
 * A body over the limit is still read (and dropped) up to DRAIN_FACTOR times the
 * limit before the 413: a server that answers and closes while the client is still
 * uploading resets the connection, and the reset destroys the answer on the client's
 * side before it reads it. A longer (or slower) body is cut off after the 413.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../domain/logger.js';
import type { AlertNotification } from '../../domain/alert.js';
import type { HttpRoute } from '../http/routes.js';
import { parseNotification } from './payload.js';

export const ALERT_PATH = '/alerts/alertmanager';
/** Alertmanager's own default max is far below; a flood of alerts in one group stays under it. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** How much of a body over the limit is read and dropped, as a multiple of the limit. */
export const DRAIN_FACTOR = 4;
/** How long the dropping may take before the connection is cut off. */
export const DRAIN_TIMEOUT_MS = 10_000;

/** A body, or why there is none to parse (readBody). */
type Body = Buffer | 'too-large' | 'cut-off';

export interface WebhookOptions {
  token: string | undefined;
  enqueue(n: AlertNotification): Promise<string>;
  logger: Logger;
  maxBodyBytes?: number;
}

export function alertWebhookRoute(opts: WebhookOptions): HttpRoute {
  return {
    path: ALERT_PATH,
    method: 'POST',
    handler: (req, res) => {
      handle(req, res, opts).catch((err: unknown) => {
        opts.logger.error({ err }, 'alert webhook failed');
        reply(res, 500, { error: 'internal error; see the Quorum log' });
      });
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: WebhookOptions) {
  if (!opts.token) {
    req.resume();
    return reply(res, 401, {
      error:
        'QUORUM_ALERT_TOKEN is not set on the Quorum side, so no alert is accepted. Set it, and send the same value from Alertmanager (http_config.authorization.credentials).',
    });
  }
  if (!authorized(req.headers.authorization, opts.token)) {
    req.resume();
    return reply(res, 401, {
      error: 'missing or wrong bearer token: send Authorization: Bearer $QUORUM_ALERT_TOKEN',
    });
  }
  const max = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const body = await readBody(req, max);
  if (typeof body === 'string')
    return reply(
      res,
      413,
      { error: `body larger than ${max} bytes; lower max_alerts in the Alertmanager receiver` },
      true,
    );
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return reply(res, 400, { error: `body is not JSON: ${(err as Error).message}` });
  }
  const parsed = parseNotification(json);
  if (!parsed.ok)
    return reply(res, 400, { error: `not an Alertmanager v4 notification: ${parsed.problem}` });
  try {
    const id = await opts.enqueue(parsed.notification);
    reply(res, 202, { status: 'accepted', id });
  } catch (err) {
    opts.logger.error({ err }, 'alert not enqueued');
    reply(res, 503, {
      error: 'Quorum cannot queue the alert now (Redis?); Alertmanager will retry',
    });
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of the bearer token. */
export function authorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]?.trim() ?? ''), digest(token));
}

/**
 * The body, or why not: 'too-large' once it has all been read (and dropped past `max`),
 * 'cut-off' when it is longer than DRAIN_FACTOR × `max` (or takes DRAIN_TIMEOUT_MS to
 * drop), in which case reading stops and the connection closes after the answer.
 */
function readBody(req: IncomingMessage, max: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const bound = max * DRAIN_FACTOR;
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const settle = (body: Body) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd);
      resolve(body);
    };
    const cutOff = () => {
      settle('cut-off');
      req.pause();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > bound) return cutOff();
      if (size <= max) return void chunks.push(chunk);
      chunks.length = 0;
      timer ??= setTimeout(cutOff, DRAIN_TIMEOUT_MS);
    };
    const onEnd = () => settle(size > max ? 'too-large' : Buffer.concat(chunks));
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > bound) return cutOff();
    if (declared > max) timer = setTimeout(cutOff, DRAIN_TIMEOUT_MS);
    req.on('data', onData).on('end', onEnd).on('error', reject);
    req.once('close', () => clearTimeout(timer));
  });
}

function reply(res: ServerResponse, status: number, body: object, close = false) {
  if (res.headersSent) return;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(`${JSON.stringify(body)}\n`);
}
