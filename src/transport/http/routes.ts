/**
 * /healthz, /readyz and /metrics as routes in the shape Bolt's `customRoutes` takes
 * (`{ path, method, handler(req, res) }`), so the same routes are served by the small
 * server of `quorum worker` (server.ts) and mounted into Bolt's receiver by the bot.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { describeError } from '../../domain/errors.js';

export interface HttpRoute {
  path: string;
  method: string | string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** One thing readiness depends on: Redis answers, the Slack side started, … */
export interface ReadinessCheck {
  name: string;
  /** Resolves when ready; rejects (or outlasts the timeout) when not. */
  check(): Promise<void>;
}

export interface HealthRoutesOptions {
  registry: Registry;
  /** Read on every request, so checks can be added after the routes are built. */
  readiness: () => readonly ReadinessCheck[];
  /** Per check; a check that takes longer is not ready. Default 2 s. */
  timeoutMs?: number;
}

export function healthRoutes(opts: HealthRoutesOptions): HttpRoute[] {
  return [
    {
      path: '/healthz',
      method: 'GET',
      // Liveness: the process answers. A dependency being down is readiness, not liveness.
      handler: (_req, res) => send(res, 200, 'application/json', '{"status":"ok"}\n'),
    },
    {
      path: '/readyz',
      method: 'GET',
      handler: (_req, res) => {
        readiness(opts.readiness(), opts.timeoutMs ?? 2_000).then(
          (r) => send(res, r.ready ? 200 : 503, 'application/json', `${JSON.stringify(r)}\n`),
          (err) => send(res, 500, 'text/plain', `${describeError(err)}\n`),
        );
      },
    },
    {
      path: '/metrics',
      method: 'GET',
      handler: (_req, res) => {
        opts.registry.metrics().then(
          (text) => send(res, 200, opts.registry.contentType, text),
          (err) => send(res, 500, 'text/plain', `${describeError(err)}\n`),
        );
      },
    },
  ];
}

export interface ReadinessResult {
  ready: boolean;
  checks: Record<string, string>;
}

export async function readiness(
  checks: readonly ReadinessCheck[],
  timeoutMs: number,
): Promise<ReadinessResult> {
  const results = await Promise.all(
    checks.map(async (c) => [c.name, await outcome(c.check(), timeoutMs)] as const),
  );
  return {
    ready: results.every(([, r]) => r === 'ok'),
    checks: Object.fromEntries(results),
  };
}

async function outcome(check: Promise<void>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([check.then(() => 'ok'), timeout]);
  } catch (err) {
    return describeError(err);
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}
