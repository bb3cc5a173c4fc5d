/**
 * One bounded call through @kubernetes/client-node: a per-request middleware sets
 * the abort signal (and, for patches, the Content-Type the library would otherwise
 * pick as JSON Patch), and a race against the deadline covers what the signal cannot
 * (authentication plugins run before the request exists). A 429 or a transient 5xx is
 * tried again after the server's Retry-After (kube-retry.ts), within the same deadline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Observable } from '@kubernetes/client-node';
import type {
  ConfigurationOptions,
  RequestContext,
  ResponseContext,
} from '@kubernetes/client-node';
import { DeadlineError, toKubeError } from './kube-errors.js';
import { retryDelay } from './kube-retry.js';

/** What one call is, for its deadline and its error messages. */
export interface CallSpec {
  server: string;
  /** For messages: `list nodes`, `evict pod kube-system/x`. */
  what: string;
  deadline: number;
  contentType?: string;
  /** false: one attempt only (the caller retries itself, e.g. evictions). Default true. */
  retry?: boolean;
}

function callOptions(signal: AbortSignal, contentType?: string): ConfigurationOptions {
  return {
    middleware: [
      {
        pre(ctx: RequestContext): Observable<RequestContext> {
          ctx.setSignal(signal);
          if (contentType) ctx.setHeaderParam('Content-Type', contentType);
          return new Observable(Promise.resolve(ctx));
        },
        post: (res: ResponseContext) => new Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/** `fn` until it succeeds, fails for good, or the wait for the next try would pass the deadline. */
async function attempts<T>(
  spec: CallSpec,
  fn: (options: ConfigurationOptions, signal: AbortSignal) => Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  for (let retry = 1; ; retry++) {
    try {
      return await fn(callOptions(signal, spec.contentType), signal);
    } catch (err) {
      const wait = spec.retry === false ? undefined : retryDelay(err, retry, spec.deadline);
      if (wait === undefined) throw err;
      await sleep(wait, undefined, { signal });
    }
  }
}

/** Runs `fn` with options that bound it by `spec.deadline`; failures become QuorumErrors. */
export async function kubeCall<T>(
  spec: CallSpec,
  fn: (options: ConfigurationOptions, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeoutMs = Math.max(1, Math.round(spec.deadline - Date.now()));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineError(timeoutMs)), timeoutMs);
  try {
    const work = attempts(spec, fn, controller.signal);
    return await Promise.race([work, rejectOnAbort(controller.signal)]);
  } catch (err) {
    throw toKubeError(controller.signal.aborted ? controller.signal.reason : err, {
      server: spec.server,
      what: spec.what,
      timeoutMs,
    });
  } finally {
    clearTimeout(timer);
  }
}
