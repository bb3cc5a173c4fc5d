/**
 * A count-only Range for EtcdMember.countKeys: etcd counts the keys under a prefix at a
 * revision and sends no key. The prefix '' means every key (`\0` to the end of the keyspace).
 */
import type { Etcd3 } from 'etcd3';
import { prefixRangeEnd } from './etcd3-range.js';

export async function countRange(
  client: Etcd3,
  prefix: string,
  revision: number,
  deadline: number,
): Promise<number> {
  const key = prefix === '' ? Buffer.from([0]) : Buffer.from(prefix);
  const rangeEnd = prefix === '' ? Buffer.from([0]) : prefixRangeEnd(key);
  const res = await client.kv.range(
    { key, range_end: rangeEnd, revision, count_only: true },
    { deadline },
  );
  return Number(res.count);
}
