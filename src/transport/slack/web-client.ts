/**
 * The Slack Web API client every Slack write goes through (via the outbox). It is
 * @slack/web-api's WebClient as is: pointed at `slack.apiUrl` (a proxy, a gateway or
 * a test server), with its own retry policy — it waits out a 429's Retry-After and
 * retries network errors and 5xx answers — so Quorum does not write those again.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from '../../domain/logger.js';

export type WebClient = webApi.WebClient;
export type RetryOptions = webApi.RetryOptions;

/** A few retries over about a minute; after that the outbox backs off and tries again. */
export const OUTBOX_RETRY: RetryOptions = {
  retries: 5,
  factor: 2,
  minTimeout: 1_000,
  maxTimeout: 20_000,
  randomize: true,
};

export interface SlackClientOptions {
  token?: string;
  apiUrl: string;
  logger: Logger;
  retryConfig?: RetryOptions;
  /** Called for every 429 (the client then waits `retryAfterSec` and retries by itself). */
  onRateLimited?: (method: string, retryAfterSec: number) => void;
  /** ms per HTTP request; 0 means none. */
  timeoutMs?: number;
}

export function createSlackWebClient(opts: SlackClientOptions): WebClient {
  const client = new webApi.WebClient(opts.token, {
    slackApiUrl: opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/`,
    retryConfig: opts.retryConfig ?? OUTBOX_RETRY,
    logger: slackLogger(opts.logger),
    timeout: opts.timeoutMs ?? 30_000,
    rejectRateLimitedCalls: false,
  });
  client.on(webApi.WebClientEvent.RATE_LIMITED, (retryAfterSec: number, req: { url?: string }) => {
    opts.onRateLimited?.(methodOf(req.url), retryAfterSec);
  });
  return client;
}

/** `https://slack.com/api/chat.postMessage` → `chat.postMessage`. */
export function methodOf(url: string | undefined): string {
  return url?.split('/').pop()?.split('?')[0] || 'unknown';
}

/** Platform errors that are worth another try; every other `ok: false` is for good. */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

/**
 * Whether a failed call may succeed later (network, 5xx, rate limit) or never will
 * (`channel_not_found`, `not_in_channel`, `invalid_auth`, `msg_too_long` …).
 */
export function isTransientSlackError(err: unknown): boolean {
  const e = err as { code?: string; data?: { error?: string } };
  if (e?.code === webApi.ErrorCode.PlatformError) {
    return TRANSIENT_PLATFORM_ERRORS.has(e.data?.error ?? '');
  }
  return true;
}

/** The Slack error string (`channel_not_found`), or the message. */
export function slackErrorText(err: unknown): string {
  const e = err as { data?: { error?: string }; message?: string };
  return e?.data?.error ?? e?.message ?? String(err);
}

function slackLogger(logger: Logger): webApi.Logger {
  const text = (msg: unknown[]) =>
    msg.map((m) => (typeof m === 'string' ? m : String(m))).join(' ');
  let level = webApi.LogLevel.WARN;
  return {
    debug: (...msg: unknown[]) => logger.debug({ slack: true }, text(msg)),
    info: (...msg: unknown[]) => logger.info({ slack: true }, text(msg)),
    warn: (...msg: unknown[]) => logger.warn({ slack: true }, text(msg)),
    error: (...msg: unknown[]) => logger.error({ slack: true }, text(msg)),
    setLevel: (l: webApi.LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}
