/**
 * The one place the options of a Redis connection are built from the config: the
 * runtime's connection (runtime-deps.ts createRedis, and every copy BullMQ makes of it
 * with duplicate()) and `quorum audit-log`'s. One server by URL (`REDIS_URL`), or the
 * master found through Sentinel (`REDIS_SENTINELS`, `REDIS_SENTINEL_MASTER`) by
 * ioredis's own Sentinel support: it asks a sentinel for the master's address on every
 * (re)connect, checks the server it reached is a master, and so follows a failover.
 * Plain data in the shape ioredis takes; the callers construct the client.
 */
import type { SentinelAddress } from './redis-schema.js';
import type { Config } from './schema.js';

/**
 * How long one question to a sentinel may take. Without a bound a frozen sentinel
 * (accepting, never answering) holds a connect, and so the close of a worker, for ever.
 */
export const SENTINEL_COMMAND_TIMEOUT_MS = 1_000;

export interface RedisConnectionOptions {
  sentinels?: SentinelAddress[];
  /** The master's name, as the sentinels monitor it. */
  name?: string;
  role?: 'master';
  password?: string;
  sentinelPassword?: string;
  sentinelCommandTimeout?: number;
  /** 2: reconnect, and send the refused command again. */
  reconnectOnError?: (err: Error) => boolean | 1 | 2;
}

export interface RedisConnection {
  /** `redis://…` or `rediss://…` for one server; absent through Sentinel. */
  url?: string;
  options: RedisConnectionOptions;
  /** Where Redis is, for messages: never a password. */
  where: string;
}

/**
 * A write on a master that was demoted (it came back as a replica of the promoted one)
 * answers READONLY: reconnect, which asks the sentinels for the master again, and
 * re-send the write, which the replica did not apply.
 */
const readonlyReconnects = (err: Error): boolean | 2 =>
  err.message.startsWith('READONLY') ? 2 : false;

export function redisConnection(config: Pick<Config, 'redisUrl' | 'redis'>): RedisConnection {
  const { sentinels, sentinelMaster, password, sentinelPassword } = config.redis;
  if (sentinels && sentinelMaster) {
    return {
      options: {
        sentinels: sentinels.map((s) => ({ ...s })),
        name: sentinelMaster,
        role: 'master',
        ...(password ? { password } : {}),
        ...(sentinelPassword ? { sentinelPassword } : {}),
        sentinelCommandTimeout: SENTINEL_COMMAND_TIMEOUT_MS,
        reconnectOnError: readonlyReconnects,
      },
      where: `master "${sentinelMaster}" through Sentinel ${sentinels.map(address).join(', ')}`,
    };
  }
  // A password in the URL wins over REDIS_PASSWORD (ioredis takes the URL's first).
  return {
    url: config.redisUrl,
    options: password ? { password } : {},
    where: safeUrl(config.redisUrl),
  };
}

const address = (s: SentinelAddress) =>
  s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;

/** The URL without its password, for messages. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured Redis URL';
  }
}
