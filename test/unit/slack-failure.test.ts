/**
 * How a failed Slack call is classed, from @slack/web-api's own error classes (as the
 * client throws them) and the errors Node's fetch gives: by code and status only.
 */
import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { classifySlackError } from '../../src/transport/slack/slack-failure.js';

const platform = (error: string) => new webApi.WebAPIPlatformError({ ok: false, error });
const http = (status: number, headers: Record<string, string> = {}) =>
  new webApi.WebAPIHTTPError(status, 'x', headers, '');
const request = (original: Error) => new webApi.WebAPIRequestError(original);
const systemError = (code: string) => Object.assign(new Error(code), { code, syscall: 'connect' });

describe('classifySlackError', () => {
  it('platform errors: permanent unless Slack itself is in trouble', () => {
    expect(classifySlackError(platform('invalid_blocks'))).toEqual({
      kind: 'permanent',
      code: 'invalid_blocks',
    });
    expect(classifySlackError(platform('channel_not_found')).kind).toBe('permanent');
    expect(classifySlackError(platform('internal_error')).kind).toBe('transient');
    expect(classifySlackError(platform('ratelimited')).kind).toBe('transient');
  });

  it('HTTP 4xx is permanent but 408 and 429; 5xx is transient', () => {
    for (const status of [400, 403, 404, 410, 413]) {
      expect(classifySlackError(http(status))).toEqual({
        kind: 'permanent',
        code: `http_${status}`,
        status,
      });
    }
    for (const status of [408, 500, 502, 503]) {
      expect(classifySlackError(http(status)).kind).toBe('transient');
    }
    expect(classifySlackError(http(429, { 'retry-after': '7' }))).toMatchObject({
      kind: 'transient',
      retryAfterMs: 7_000,
    });
  });

  it('a rate-limited error is transient and carries its Retry-After', () => {
    expect(classifySlackError(new webApi.WebAPIRateLimitedError(3))).toEqual({
      kind: 'transient',
      code: 'ratelimited',
      status: 429,
      retryAfterMs: 3_000,
    });
  });

  it('network errors and timeouts are transient; a request fetch refused to make is not', () => {
    const reset = new TypeError('fetch failed', { cause: systemError('ECONNRESET') });
    expect(classifySlackError(request(reset))).toEqual({
      kind: 'transient',
      code: 'network_error',
      detail: 'ECONNRESET',
    });
    const socket = new TypeError('fetch failed', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(classifySlackError(request(socket)).kind).toBe('transient');
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifySlackError(request(timeout as unknown as Error))).toEqual({
      kind: 'transient',
      code: 'timeout',
    });
    const badUrl = new TypeError('Failed to parse URL', {
      cause: Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL' }),
    });
    expect(classifySlackError(request(badUrl))).toEqual({
      kind: 'permanent',
      code: 'request_invalid',
      detail: 'ERR_INVALID_URL',
    });
    const badPort = new TypeError('fetch failed', { cause: new Error('bad port') });
    expect(classifySlackError(request(badPort)).kind).toBe('permanent');
    // The client wraps its own "retry this 429" signal as a request error: try again.
    expect(classifySlackError(request(new Error('rate limit'))).kind).toBe('transient');
  });

  it('a bare TypeError (the request could not be built) is permanent; anything else transient', () => {
    expect(classifySlackError(new TypeError('Converting circular structure to JSON'))).toEqual({
      kind: 'permanent',
      code: 'request_invalid',
    });
    expect(classifySlackError(new Error('A rate limit was exceeded')).kind).toBe('transient');
    expect(classifySlackError(undefined).kind).toBe('transient');
  });
});
