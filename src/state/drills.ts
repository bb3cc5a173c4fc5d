/**
 * Each cluster's last drill and last successful drill, for workers: whichever worker ran
 * it, the etcd check, the upgrade precheck and /metrics (after a restart) read it here.
 *
 * Key: `${prefix}:etcd:drill:${cluster}`, a hash kept without expiry (two small records):
 *   last         the newest drill's record, JSON
 *   lastSuccess  the newest drill that proved its snapshot restores, JSON
 * Two drills ending at once keep the newer of each (by `drilledAt`).
 */
import type { DrillHistory, DrillRecord, DrillRecords } from '../domain/drill.js';
import type { StateRedis } from './redis.js';

export const drillKey = (prefix: string, cluster: string) => `${prefix}:etcd:drill:${cluster}`;

/**
 * KEYS[1] the hash · ARGV[1] the record, JSON · ARGV[2] its drilledAt · ARGV[3] '1' when ok.
 * Returns the number of fields written (0: newer records are there already).
 */
const RECORD = `
local written = 0
local function newer(field)
  local cur = redis.call('HGET', KEYS[1], field)
  if not cur then return true end
  local ok, doc = pcall(cjson.decode, cur)
  return not ok or type(doc) ~= 'table' or type(doc.drilledAt) ~= 'string' or doc.drilledAt <= ARGV[2]
end
if newer('last') then
  redis.call('HSET', KEYS[1], 'last', ARGV[1])
  written = written + 1
end
if ARGV[3] == '1' and newer('lastSuccess') then
  redis.call('HSET', KEYS[1], 'lastSuccess', ARGV[1])
  written = written + 1
end
return written`;

function parse(text: string | undefined): DrillRecord | undefined {
  if (!text) return undefined;
  try {
    const doc = JSON.parse(text) as Partial<DrillRecord> | null;
    return doc && typeof doc.drilledAt === 'string' && typeof doc.ok === 'boolean'
      ? (doc as DrillRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

export function drillStore(redis: StateRedis, prefix: string): DrillRecords {
  return {
    async record(r) {
      await redis.eval(
        RECORD,
        1,
        drillKey(prefix, r.cluster),
        JSON.stringify(r),
        r.drilledAt,
        r.ok ? '1' : '0',
      );
    },
    async history(cluster): Promise<DrillHistory> {
      const h = await redis.hgetall(drillKey(prefix, cluster));
      const last = parse(h.last);
      const lastSuccess = parse(h.lastSuccess);
      return { ...(last ? { last } : {}), ...(lastSuccess ? { lastSuccess } : {}) };
    },
  };
}
