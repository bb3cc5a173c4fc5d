/**
 * JSON documents in Redis changed by compare-and-set on a version number, so two bot
 * replicas (or a bot and a worker) acting on the same incident at once cannot both
 * win: the loser re-reads and decides again, and usually finds nothing left to do.
 */
import type { StateRedis } from './redis.js';

export interface Versioned {
  version: number;
}

// KEYS[1] the document; ARGV[1] expected version (0: must not exist), ARGV[2] JSON, ARGV[3] ttl ms.
// Output: 1 stored, 0 someone else changed it first.
const CAS = `
local cur = redis.call('GET', KEYS[1])
local v = 0
if cur then v = tonumber(cjson.decode(cur).version) or 0 end
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

export async function readDoc<T extends Versioned>(
  redis: StateRedis,
  key: string,
): Promise<T | undefined> {
  const text = await redis.get(key);
  return text === null ? undefined : (JSON.parse(text) as T);
}

/**
 * Applies `change` to the current document (undefined when there is none) until it is
 * stored without a conflict. `change` returns the new document, or undefined to change
 * nothing. Returns what was stored (with its new version) or undefined.
 */
export async function updateDoc<T extends Versioned>(
  redis: StateRedis,
  key: string,
  ttlMs: number,
  change: (current: T | undefined) => T | undefined,
): Promise<{ before: T | undefined; after: T } | undefined> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const before = await readDoc<T>(redis, key);
    const next = change(before);
    if (next === undefined) return undefined;
    const after = { ...next, version: (before?.version ?? 0) + 1 };
    const stored = await redis.eval(
      CAS,
      1,
      key,
      before?.version ?? 0,
      JSON.stringify(after),
      ttlMs,
    );
    if (Number(stored) === 1) return { before, after };
  }
  throw new Error(`${key} kept changing under 50 attempts to update it`);
}
