/**
 * The last disk-latency sample of each etcd member (its WAL fsync and backend commit
 * histograms, as a check read them), one JSON string per cluster and member, so the
 * next check of that member judges the observations made since this one: minutes
 * apart, as a scheduled check runs, rather than the seconds of one check.
 *
 * Kept 24 hours: a check schedule up to a day apart still gets its window; an older
 * sample would judge most of a day at once, and a member not checked for that long
 * starts again from its check's own window.
 */
import type { LatencySample } from '../domain/etcd.js';
import type { StateRedis } from './redis.js';

export const LATENCY_SAMPLE_TTL_MS = 24 * 3_600_000;

export const latencySampleKey = (prefix: string, cluster: string, member: string) =>
  `${prefix}:etcd:latency-sample:${cluster}:${member}`;

// KEYS[1] the sample; ARGV[1] JSON, ARGV[2] its `at`, ARGV[3] ttl ms.
// Output: 1 stored, 0 a newer sample is already there (two checks at once keep the newer).
const SAVE = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, doc = pcall(cjson.decode, cur)
  if ok and type(doc) == 'table' and tonumber(doc.at) and tonumber(doc.at) > tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/** The samples of one cluster's members; satisfies the etcd check's `LatencySamples`. */
export function latencySampleStore(redis: StateRedis, prefix: string, cluster: string) {
  return {
    async previous(member: string): Promise<LatencySample | undefined> {
      const text = await redis.get(latencySampleKey(prefix, cluster, member));
      return text === null ? undefined : parseSample(text);
    },
    async save(member: string, sample: LatencySample): Promise<void> {
      const key = latencySampleKey(prefix, cluster, member);
      await redis.eval(SAVE, 1, key, JSON.stringify(sample), sample.at, LATENCY_SAMPLE_TTL_MS);
    },
  };
}

/** A stored sample, or undefined for anything that is not one (written by hand, an old shape). */
function parseSample(text: string): LatencySample | undefined {
  try {
    const doc = JSON.parse(text) as Partial<LatencySample> | null;
    if (!doc || typeof doc.at !== 'number') return undefined;
    const shaped = [doc.walFsync, doc.backendCommit].every(
      (h) => h === undefined || isHistogram(h),
    );
    return shaped ? (doc as LatencySample) : undefined;
  } catch {
    return undefined;
  }
}

const numbers = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number');

function isHistogram(h: unknown): boolean {
  const x = h as Record<string, unknown> | null;
  return !!x && numbers(x.le) && numbers(x.cumulative) && typeof x.count === 'number';
}
