/**
 * The Slack Web API clients Quorum uses: the outbox's (every Slack write of the
 * workers and workflows) and Bolt's (the bot's own calls: auth.test, answers, the
 * response_url). Both are @slack/web-api's WebClient pointed at `slack.apiUrl` (a
 * proxy, a gateway or a test server) and fetching through `countingFetch`, which sees
 * every HTTP answer — so every 429 Slack serves is counted, including the ones the
 * client waits out and retries by itself and those without a usable Retry-After.
 *
 * The outbox's client has its own retry policy: it waits out a 429's Retry-After and
 * retries network errors and 5xx answers, but stops at once on what no retry fixes
 * (slack-failure.ts), so a 413 costs one call, not six.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from '../../domain/logger.js';
import { classifySlackError } from './slack-failure.js';

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

/** Called for every HTTP 429 answer; `method` is the API method, or `response_url`. */
export type RateLimitedListener = (method: string, retryAfterSec: number | undefined) => void;

export interface SlackClientOptions {
  token?: string;
  apiUrl: string;
  logger: Logger;
  retryConfig?: RetryOptions;
  /** Called for every 429 (the client then waits `retryAfterSec` and retries by itself). */
  onRateLimited?: RateLimitedListener;
  /** ms per HTTP request; 0 means none. */
  timeoutMs?: number;
}

export function createSlackWebClient(opts: SlackClientOptions): WebClient {
  return new webApi.WebClient(opts.token, {
    ...slackClientOptions(opts.apiUrl, opts.onRateLimited),
    retryConfig: stopOnPermanent(opts.retryConfig ?? OUTBOX_RETRY),
    logger: slackLogger(opts.logger),
    timeout: opts.timeoutMs ?? 30_000,
    rejectRateLimitedCalls: false,
  });
}

/**
 * The options every WebClient Quorum builds shares (Bolt's `clientOptions` too, which
 * Bolt also uses for `respond()`): the API URL, and a fetch that reports each 429.
 */
export function slackClientOptions(
  apiUrl: string,
  onRateLimited?: RateLimitedListener,
): { slackApiUrl: string; fetch?: webApi.FetchFunction } {
  const slackApiUrl = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  return onRateLimited
    ? { slackApiUrl, fetch: countingFetch(slackApiUrl, onRateLimited) }
    : { slackApiUrl };
}

/** globalThis.fetch, telling `onRateLimited` about every 429 answer. */
export function countingFetch(
  slackApiUrl: string,
  onRateLimited: RateLimitedListener,
): webApi.FetchFunction {
  return async (url, init) => {
    const res = await globalThis.fetch(url, init);
    if (res.status === 429) {
      const text = String(url);
      // A response_url's path carries a secret: never put it in a label.
      const method = text.startsWith(slackApiUrl) ? methodOf(text) : 'response_url';
      const after = Number.parseInt(res.headers.get('retry-after') ?? '', 10);
      onRateLimited(method, Number.isNaN(after) ? undefined : after);
    }
    return res;
  };
}

/**
 * The retry policy with a stop for permanent failures: the client runs it with p-retry,
 * which ends the retries when `onFailedAttempt` throws.
 */
function stopOnPermanent(config: RetryOptions): RetryOptions {
  const withStop: RetryOptions & { onFailedAttempt: (err: unknown) => void } = {
    ...config,
    onFailedAttempt: (err) => {
      if (classifySlackError(err).kind === 'permanent') throw err;
    },
  };
  return withStop;
}

/** `https://slack.com/api/chat.postMessage` → `chat.postMessage`. */
export function methodOf(url: string | undefined): string {
  return url?.split('/').pop()?.split('?')[0] || 'unknown';
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
