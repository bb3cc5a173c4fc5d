/**
 * When a failed Kubernetes API call is worth trying again, and after how long: the API
 * server's own "slow down" (429, priority and fairness) and its transient 5xx answers,
 * after the `Retry-After` it sends (seconds) or a short doubling backoff, never past the
 * call's deadline. Anything else fails at once.
 */
import { ApiException } from '@kubernetes/client-node';

const RETRIED = new Set([429, 500, 502, 503, 504]);
/** Tries after the first. */
export const MAX_RETRIES = 3;
const FIRST_BACKOFF_MS = 250;
/** A Retry-After longer than this is cut to it (the deadline still bounds the call). */
const MAX_WAIT_MS = 10_000;

/** Seconds (`Retry-After: 2`) from the response headers (lower-case names), in ms. */
function retryAfterMs(err: ApiException<unknown>): number | undefined {
  const value = err.headers['retry-after'];
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value) * 1000;
}

/**
 * How long to wait before retry number `retry` (1-based) of a call that failed with
 * `err`, or undefined when it should not be retried (or the wait would pass `deadline`).
 */
export function retryDelay(err: unknown, retry: number, deadline: number): number | undefined {
  if (!(err instanceof ApiException) || !RETRIED.has(err.code) || retry > MAX_RETRIES) {
    return undefined;
  }
  const wait = Math.min(
    retryAfterMs(err as ApiException<unknown>) ?? FIRST_BACKOFF_MS * 2 ** (retry - 1),
    MAX_WAIT_MS,
  );
  return Date.now() + wait < deadline ? wait : undefined;
}
