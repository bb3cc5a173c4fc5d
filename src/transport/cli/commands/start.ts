/**
 * `quorum start`: everything in one process — the Slack bot (HTTP or Socket Mode), a
 * worker for every configured cluster, the Slack outbox, health, readiness, metrics.
 * `quorum bot`: the Slack side only (no etcd, no Kubernetes API): parse, approve, enqueue.
 */
import type { Config } from '../../../config/schema.js';
import { QuorumError } from '../../../domain/errors.js';
import { parseFlags } from '../args.js';
import type { CliDeps, CliIo, ExitStatus } from '../io.js';
import { concurrencyFlag, runUntilSignal } from './worker.js';
import { USAGE as USAGES } from '../usage.js';

const START_USAGE = USAGES.start;

export async function startCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(
    args,
    { concurrency: { type: 'string' } },
    START_USAGE,
  );
  if (positionals.length) {
    throw new QuorumError(
      'USAGE',
      `Unexpected argument "${positionals[0]}".`,
      `Usage: ${START_USAGE}`,
    );
  }
  const config = deps.loadConfig(io.env);
  const concurrency = concurrencyFlag(values.concurrency, config);
  requireSlack(config);
  return runUntilSignal(
    io,
    deps,
    config,
    { clusters: config.clusters.map((c) => c.name), concurrency, bot: true },
    'start',
  );
}

const BOT_USAGE = USAGES.bot;

export async function botCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { positionals } = parseFlags(args, {}, BOT_USAGE);
  if (positionals.length) {
    throw new QuorumError(
      'USAGE',
      `Unexpected argument "${positionals[0]}".`,
      `Usage: ${BOT_USAGE}`,
    );
  }
  const config = deps.loadConfig(io.env);
  requireSlack(config);
  return runUntilSignal(io, deps, config, { clusters: [], concurrency: 1, bot: true }, 'bot');
}

function requireSlack(config: Config): void {
  if (!config.slack.botToken) {
    throw new QuorumError(
      'CONFIG_INVALID',
      'SLACK_BOT_TOKEN is not set.',
      'Set SLACK_BOT_TOKEN (xoxb-…) and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode); see docs/slack-bot.md.',
    );
  }
  if (!config.slack.appToken && !config.slack.signingSecret) {
    throw new QuorumError(
      'CONFIG_INVALID',
      'SLACK_SIGNING_SECRET is not set (required in HTTP mode).',
      "Set it from the app's Basic Information page, or set SLACK_APP_TOKEN to use Socket Mode.",
    );
  }
}
