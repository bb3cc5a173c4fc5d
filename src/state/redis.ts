/**
 * The few Redis commands state/ uses, declared here so state/ does not depend on a
 * client library (lint keeps ioredis in transport/ and main). An ioredis `Redis`
 * (or `Cluster`) satisfies it as is; tests pass a real one.
 */
export interface StateRedis {
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
  get(key: string): Promise<string | null>;
  xadd(key: string, ...args: (string | number)[]): Promise<string | null>;
  xrange(
    key: string,
    start: string,
    end: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[id: string, fields: string[]][]>;
}

/** `['a', '1', 'b', '2']` → `{ a: '1', b: '2' }`: Redis' flat field lists (XRANGE, Lua HGETALL). */
export function pairsToRecord(flat: readonly unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}
