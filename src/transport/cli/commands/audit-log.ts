/** `quorum audit-log [--since 24h] [--json]`: who asked for, approved and ran what (reads Redis). */
import { Redis } from 'ioredis';
import { describeError, QuorumError } from '../../../domain/errors.js';
import { renderAuditText } from '../../../render/terminal/audit.js';
import { readAudit } from '../../../state/audit.js';
import { redisConnection } from '../../../config/redis-connection.js';
import { noPositionals, optionalDuration, parseFlags } from '../args.js';
import { printError, type CliDeps, type CliIo, type ExitStatus } from '../io.js';
import { USAGE as USAGES } from '../usage.js';

const USAGE = USAGES['audit-log'];

const DEFAULT_SINCE_MS = 24 * 3_600_000;
const CONNECT_TIMEOUT_MS = 3_000;
const COMMAND_TIMEOUT_MS = 5_000;

/** connect() and the ready check, bounded: a server that accepts but never answers is unreachable too. */
async function connectBy(redis: Redis, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1_000} s`)), ms);
  });
  try {
    await Promise.race([redis.connect(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function auditLogCommand(
  args: string[],
  io: CliIo,
  deps: CliDeps,
): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(
    args,
    { since: { type: 'string' }, json: { type: 'boolean' } },
    USAGE,
  );
  noPositionals(positionals, USAGE);
  const since = optionalDuration(values.since, '--since', ['24h', '7d']) ?? DEFAULT_SINCE_MS;
  const sinceMs = Date.now() - since;
  const config = deps.loadConfig(io.env);
  // One attempt, bounded: a CLI must say "unreachable" quickly rather than retry forever.
  const target = redisConnection(config);
  const once = {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    // Through Sentinel: one round over the sentinels, then give up.
    sentinelRetryStrategy: () => null,
  };
  const redis = target.url
    ? new Redis(target.url, { ...target.options, ...once })
    : new Redis({ ...target.options, ...once });
  // ioredis reports the cause (ECONNREFUSED…) as an event and rejects with a generic
  // "Connection is closed": keep the cause for the message. The listener also stops
  // ioredis from printing it.
  let cause: unknown;
  redis.on('error', (err) => (cause ??= err));
  try {
    await connectBy(redis, CONNECT_TIMEOUT_MS);
    const entries = await readAudit(redis, config.redis.prefix, { sinceMs });
    io.stdout(
      values.json ? `${JSON.stringify(entries, null, 2)}\n` : renderAuditText(entries, sinceMs),
    );
    return 0;
  } catch (err) {
    const unreachable = new QuorumError(
      'REDIS_UNREACHABLE',
      `cannot read the audit log from Redis at ${target.where}: ${describeError(cause ?? err)}`,
      target.url
        ? 'Check that Redis runs and REDIS_URL (or redisUrl in the config file) names the one the bot uses.'
        : 'Check that the sentinels run and know the master: REDIS_SENTINELS and REDIS_SENTINEL_MASTER as the bot uses them (and REDIS_PASSWORD, REDIS_SENTINEL_PASSWORD).',
      { cause: cause ?? err },
    );
    printError(io, unreachable, values.json ?? false);
    return 3;
  } finally {
    redis.disconnect();
  }
}
