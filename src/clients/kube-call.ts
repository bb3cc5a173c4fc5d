/**
 * One bounded call through @kubernetes/client-node: a per-request middleware sets
 * the abort signal (and, for patches, the Content-Type the library would otherwise
 * pick as JSON Patch), and a race against the deadline covers what the signal cannot
 * (authentication plugins run before the request exists).
 */
import { Observable } from '@kubernetes/client-node';
import type {
  ConfigurationOptions,
  RequestContext,
  ResponseContext,
} from '@kubernetes/client-node';
import { DeadlineError, toKubeError } from './kube-errors.js';

/** What one call is, for its deadline and its error messages. */
export interface CallSpec {
  server: string;
  /** For messages: `list nodes`, `evict pod kube-system/x`. */
  what: string;
  deadline: number;
  contentType?: string;
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

/** Runs `fn` with options that bound it by `spec.deadline`; failures become QuorumErrors. */
export async function kubeCall<T>(
  spec: CallSpec,
  fn: (options: ConfigurationOptions, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeoutMs = Math.max(1, Math.round(spec.deadline - Date.now()));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineError(timeoutMs)), timeoutMs);
  try {
    const work = fn(callOptions(controller.signal, spec.contentType), controller.signal);
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
