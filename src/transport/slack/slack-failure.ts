/**
 * What a failed Slack Web API call means for the outbox: `permanent` (no retry can fix
 * it: dead-letter it) or `transient` (try again later). Classified by the error's code
 * and HTTP status as @slack/web-api sets them, never by message text:
 *
 * - `slack_webapi_platform_error` (`ok: false`): permanent, except Slack's own trouble
 *   (`internal_error`, `fatal_error`, `service_unavailable`, `request_timeout`, `ratelimited`).
 * - `slack_webapi_http_error`: 4xx is permanent (413 too large, 404 a wrong SLACK_API_URL …)
 *   except 408 and 429; 5xx is transient.
 * - `slack_webapi_rate_limited_error`: transient, after its `retryAfter`.
 * - `slack_webapi_request_error`: transient for network errors (a system error such as
 *   ECONNRESET, an undici socket or timeout code) and timeouts; permanent when fetch
 *   refused to make the request (a TypeError with no network cause: an invalid URL,
 *   port, scheme or header); transient otherwise (the client wraps its own 429 retries so).
 * - A bare TypeError (the client could not serialise the request): permanent.
 * - Anything else (e.g. the client's rate-limit retries exhausted): transient.
 */
import { webApi } from '@slack/bolt';

export interface SlackFailure {
  kind: 'permanent' | 'transient';
  /** Short and stable, for metrics and the dead letter: `invalid_blocks`, `http_413`, `network_error` … */
  code: string;
  /** The HTTP status, when Slack answered one. */
  status?: number;
  /** Wait at least this long before the next try (a 429's Retry-After). */
  retryAfterMs?: number;
  /** A lower-level code for the log (`ECONNRESET`, `ERR_INVALID_URL`), when there is one. */
  detail?: string;
}

/** Platform errors that are worth another try; every other `ok: false` is for good. */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

/** undici's codes for a connection that failed or broke (a system error carries `syscall`). */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
]);

interface CodedError {
  code?: unknown;
  name?: unknown;
  syscall?: unknown;
  statusCode?: unknown;
  retryAfter?: unknown;
  headers?: Record<string, unknown>;
  data?: { error?: unknown };
  original?: unknown;
  cause?: unknown;
  errors?: unknown;
}

export function classifySlackError(err: unknown): SlackFailure {
  const e = (err ?? {}) as CodedError;
  switch (e.code) {
    case webApi.ErrorCode.PlatformError: {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'platform_error';
      return { kind: TRANSIENT_PLATFORM_ERRORS.has(code) ? 'transient' : 'permanent', code };
    }
    case webApi.ErrorCode.RateLimitedError:
      return { kind: 'transient', code: 'ratelimited', status: 429, ...retryAfter(e.retryAfter) };
    case webApi.ErrorCode.HTTPError:
      return httpFailure(Number(e.statusCode), e.headers);
    case webApi.ErrorCode.RequestError:
      return requestFailure(e.original);
    default:
      return err instanceof TypeError
        ? { kind: 'permanent', code: 'request_invalid' }
        : { kind: 'transient', code: 'unknown' };
  }
}

function httpFailure(status: number, headers: Record<string, unknown> | undefined): SlackFailure {
  const code = `http_${status}`;
  if (status === 429) {
    return { kind: 'transient', code, status, ...retryAfter(Number(headers?.['retry-after'])) };
  }
  const permanent = status >= 400 && status < 500 && status !== 408;
  return { kind: permanent ? 'permanent' : 'transient', code, status };
}

/**
 * A request that got no answer: the network or a timeout (try again); a request fetch
 * refused to make — an invalid URL, port, scheme or header — (never); or the client's
 * own signal to retry a 429 once its retries are spent (a plain Error: try again).
 */
function requestFailure(original: unknown): SlackFailure {
  let detail: string | undefined;
  for (let e = original as CodedError | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return { kind: 'transient', code: 'timeout' };
    }
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (typeof e.syscall === 'string' || (code && NETWORK_CODES.has(code))) {
      return { kind: 'transient', code: 'network_error', ...(code ? { detail: code } : {}) };
    }
    detail ??= code;
    e = (e.cause ?? (Array.isArray(e.errors) ? e.errors[0] : undefined)) as CodedError | undefined;
  }
  if (original instanceof TypeError) {
    return { kind: 'permanent', code: 'request_invalid', ...(detail ? { detail } : {}) };
  }
  return { kind: 'transient', code: 'request_error' };
}

function retryAfter(seconds: unknown): { retryAfterMs?: number } {
  const s = Number(seconds);
  return Number.isFinite(s) && s >= 0 ? { retryAfterMs: s * 1_000 } : {};
}
