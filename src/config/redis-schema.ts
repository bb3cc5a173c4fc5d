/**
 * How Quorum reaches Redis beyond `redisUrl`: a master found through Sentinel
 * (`REDIS_SENTINELS` + `REDIS_SENTINEL_MASTER`), the passwords, and the key prefix
 * every queue and state key starts with. Parsed here once; redis-connection.ts turns
 * it into the options of every connection Quorum opens.
 */
import { z } from 'zod';

/** A Sentinel's address, as ioredis takes it. */
export interface SentinelAddress {
  host: string;
  port: number;
}

const SENTINEL_EXAMPLE = 'write host:port, e.g. 10.0.0.5:26379 or sentinel-0.redis:26379';

/** `10.0.0.5:26379`, `sentinel-0.redis:26379`, `[fd00::5]:26379` → { host, port }. */
export function parseSentinelAddress(s: string): SentinelAddress | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(s.trim());
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host, port };
}

const sentinelAddress = z
  .string({ error: SENTINEL_EXAMPLE })
  .transform((s, ctx): SentinelAddress => {
    const address = parseSentinelAddress(s);
    if (address) return address;
    ctx.addIssue({
      code: 'custom',
      message: `"${s}" is not a Sentinel address; ${SENTINEL_EXAMPLE}`,
    });
    return z.NEVER;
  });

/** `quorum`, or a Redis Cluster hash tag `{quorum}` that puts every key in one slot. */
const PREFIX = /^(\{[\w.-]+\}|[\w.-]+)$/;

const secret = z.string({ error: 'must be text' }).min(1, 'is empty; unset it instead');

export const redisSchema = z
  .object({
    /** Sentinels to ask for the master's address (instead of redisUrl / REDIS_URL). */
    sentinels: z
      .array(sentinelAddress, {
        error: `must be a list of Sentinel addresses; ${SENTINEL_EXAMPLE}`,
      })
      .min(1, `needs at least one Sentinel; ${SENTINEL_EXAMPLE}`)
      .optional(),
    /** The name the sentinels monitor the master under (`sentinel monitor NAME …`). */
    sentinelMaster: z
      .string({ error: 'must be text, e.g. mymaster' })
      .regex(/^[^\s]+$/, 'write the name the sentinels monitor, e.g. mymaster')
      .optional(),
    /** Redis's password (AUTH): through Sentinel, or when redisUrl carries none. */
    password: secret.optional(),
    /** The sentinels' own password (their `requirepass`), when they have one. */
    sentinelPassword: secret.optional(),
    /** Every Quorum key starts with it: `{quorum}` keeps them in one Redis Cluster slot. */
    prefix: z
      .string({ error: 'must be text, e.g. quorum' })
      .regex(PREFIX, 'write e.g. quorum, or {quorum} for Redis Cluster (one hash tag)')
      .default('quorum'),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.sentinels && !r.sentinelMaster) {
      ctx.addIssue({
        code: 'custom',
        path: ['sentinels'],
        message:
          'needs the name of the master the sentinels monitor: set REDIS_SENTINEL_MASTER (redis.sentinelMaster in the file), e.g. mymaster',
      });
    }
    for (const key of ['sentinelMaster', 'sentinelPassword'] as const) {
      if (r[key] === undefined || r.sentinels) continue;
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message:
          'is set but no sentinels are: set REDIS_SENTINELS (redis.sentinels in the file) to their host:port, e.g. 10.0.0.5:26379,10.0.0.6:26379',
      });
    }
  })
  .default({ prefix: 'quorum' });

export type RedisConfig = z.output<typeof redisSchema>;
