/**
 * `quorum worker [--cluster NAME] [--concurrency N]`: consumes one cluster's jobs
 * until SIGTERM, serving /healthz, /readyz and /metrics on PORT/HOST. With a Slack
 * bot token it also delivers the Slack outbox. The runtime (BullMQ, ioredis, Slack)
 * is loaded only when a worker starts, so the other commands stay quick; its clients
 * come from `deps.runtimeDeps` (main's wiring).
 *
 * Stopping is quick, always: once no job runs (at once when idle; else when the
 * running ones finished or were handed back after `worker.shutdownTimeout`), the
 * rest of the close gets IDLE_CLOSE_MS, whatever Redis is doing.
 */
import { resolveCluster } from '../../../config/load.js';
import type { Config } from '../../../config/schema.js';
import { QuorumError } from '../../../domain/errors.js';
import { parseFlags } from '../args.js';
import type { CliDeps, CliIo, ExitStatus } from '../io.js';
import type { Runtime } from '../../queue/runtime.js';
import { exitAfter, exitWhenIdleFor, shutdownSignal } from '../../queue/shutdown.js';
import { USAGE as USAGES } from '../usage.js';

const WORKER_USAGE = USAGES.worker;

export async function workerCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(
    args,
    { cluster: { type: 'string' }, concurrency: { type: 'string' } },
    WORKER_USAGE,
  );
  if (positionals.length) {
    throw new QuorumError(
      'USAGE',
      `Unexpected argument "${positionals[0]}".`,
      `Usage: ${WORKER_USAGE}`,
    );
  }
  const config = deps.loadConfig(io.env);
  const cluster = resolveCluster(config, values.cluster);
  const concurrency = concurrencyFlag(values.concurrency, config);
  return runUntilSignal(io, deps, config, { clusters: [cluster.name], concurrency }, 'worker');
}

/** `--concurrency 8`: a whole number from 1 to 100; the config's `worker.concurrency` without it. */
export function concurrencyFlag(value: string | undefined, config: Config): number {
  if (value === undefined) return config.worker.concurrency;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new QuorumError(
      'USAGE',
      `--concurrency "${value}" is not a whole number from 1 to 100.`,
      'Write e.g. --concurrency 4.',
    );
  }
  return n;
}

/** Once no job runs, how long the rest of the close may take before the process exits anyway. */
export const IDLE_CLOSE_MS = 3_000;

/** Starts the runtime, waits for SIGTERM/SIGINT, closes it gracefully. Exit status 0. */
export async function runUntilSignal(
  io: CliIo,
  cliDeps: CliDeps,
  config: Config,
  options: { clusters: string[]; concurrency: number; bot?: boolean },
  what: string,
): Promise<ExitStatus> {
  const [{ startRuntime }, { createLogger }, { startBot, botServesHttp }] = await Promise.all([
    import('../../queue/runtime.js'),
    import('../../../logging.js'),
    import('../../slack/bot.js'),
  ]);
  const logger = createLogger(config.logLevel);
  const deps = await cliDeps.runtimeDeps(config, { logger, stdout: io.stdout });
  const { bot: withBot, ...runtimeOptions } = options;
  // In HTTP mode Bolt's receiver serves /slack/events and the health routes on PORT.
  const http = withBot && botServesHttp(config) ? false : config.http;
  try {
    const runtime = await startRuntime(config, deps, { ...runtimeOptions, http }).catch(
      (err: unknown) => {
        throw portInUse(err, config) ?? err;
      },
    );
    const bot = withBot
      ? await startBot(config, deps, runtime).catch(async (err: unknown) => {
          await runtime.close();
          throw portInUse(err, config) ?? err;
        })
      : undefined;
    io.stderr(
      `quorum ${what}: ${bot ? `Slack bot (${bot.mode === 'http' ? 'HTTP on /slack/events' : 'Socket Mode'}), ` : ''}` +
        `clusters ${options.clusters.join(', ') || '(none)'}, concurrency ${options.concurrency}, ` +
        `Slack outbox ${deps.slack ? 'delivered here' : 'not delivered here (no SLACK_BOT_TOKEN)'}, ` +
        `health on http://${config.http.host}:${runtime.httpPort ?? config.http.port}/healthz\n`,
    );
    await shutdownSignal(logger);
    boundShutdown(io, config, runtime);
    await bot?.close();
    await runtime.close();
  } finally {
    await deps.close();
  }
  // Everything is closed; an operation handed back on shutdown may still hold a connection.
  exitAfter(
    2_000,
    0,
    io.stderr,
    'still running 2 s after shutdown (a connection or a handed-back operation is slow to end)',
  );
  return 0;
}

/** However the close goes (Redis down or frozen, a stuck call), the process ends. */
function boundShutdown(io: CliIo, config: Config, runtime: Runtime): void {
  const late = 'shutdown did not finish in time (is Redis reachable?)';
  exitAfter(config.worker.shutdownTimeout + 10_000, 1, io.stderr, late);
  const idle = `still closing ${IDLE_CLOSE_MS / 1000} s after the last job ended (is Redis reachable?)`;
  exitWhenIdleFor(IDLE_CLOSE_MS, runtime, io.stderr, idle);
}

function portInUse(err: unknown, config: Config): QuorumError | undefined {
  if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') return undefined;
  return new QuorumError(
    'CONFIG_INVALID',
    `PORT ${config.http.port} on ${config.http.host} is already in use.`,
    'Set PORT (and HOST) to a free address for /healthz, /readyz and /metrics.',
  );
}
