/**
 * Quorum's Slack side and workers in this process, as `quorum start` runs them: the
 * runtime (workers for `clusters`, the outbox, schedules), then the bot (Bolt on
 * PORT in HTTP mode; in Socket Mode the runtime serves the health routes).
 */
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/domain/logger.js';
import { buildRuntimeDeps, type OwnedRuntimeDeps } from '../../src/runtime-deps.js';
import { startRuntime, type Runtime } from '../../src/transport/queue/runtime.js';
import { botServesHttp, startBot, type Bot } from '../../src/transport/slack/bot.js';

export interface QuorumBot {
  deps: OwnedRuntimeDeps;
  runtime: Runtime;
  bot: Bot;
  /** `http://127.0.0.1:PORT`: /slack/events, /alerts/alertmanager, /healthz … */
  base: string;
  close(): Promise<void>;
}

export async function startQuorumBot(
  env: Record<string, string>,
  opts: { clusters: string[]; outboxIntervalMs: number },
): Promise<QuorumBot> {
  const config = loadConfig(env);
  const deps = buildRuntimeDeps(config, { logger: silentLogger, stdout: () => undefined });
  const runtime = await startRuntime(config, deps, {
    clusters: opts.clusters,
    http: botServesHttp(config) ? false : config.http,
    outbox: { intervalMs: opts.outboxIntervalMs },
  });
  const bot = await startBot(config, deps, runtime);
  return {
    deps,
    runtime,
    bot,
    base: `http://127.0.0.1:${config.http.port}`,
    close: async () => {
      await bot.close();
      await runtime.close();
      await deps.close();
    },
  };
}
