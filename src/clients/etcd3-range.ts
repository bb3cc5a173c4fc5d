/**
 * One page of a key scan with etcd3's Range (`limit`, `keys_only`, `revision`), for
 * EtcdMember.rangeKeys. etcd cannot send part of a value, so when value prefixes are
 * asked for, the page's values arrive in full; each kept prefix and key is *copied*
 * (protobuf's byte fields are views into the whole response, and keeping a view keeps
 * the response), so nothing of the page outlives the call but a few bytes per key.
 *
 * A page too large for one gRPC message (4 MiB by default: a few large values) is asked
 * for again with half the limit; a pinned revision that was compacted meanwhile is
 * dropped for the newest one, and the page says which revision it was read at.
 */
import { GRPCResourceExhastedError, type Etcd3 } from 'etcd3';
import {
  RevisionCompactedError,
  type KeyPage,
  type KeyPageRequest,
} from '../operations/etcd/client.js';
import { toEtcdError } from './etcd3-errors.js';

/** The end of the range of keys starting with `prefix`: the prefix with its last byte + 1. */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // all 0xff: to the end of the keyspace
}

export async function rangePage(
  client: Etcd3,
  prefix: string,
  page: KeyPageRequest,
  deadline: number,
): Promise<KeyPage> {
  const start = page.startKey ?? Buffer.from(prefix);
  const rangeEnd = prefixRangeEnd(Buffer.from(prefix));
  const keep = page.valuePrefixBytes;
  let limit = Math.max(1, Math.floor(page.limit));
  let revision = page.revision ?? 0;
  for (;;) {
    try {
      const res = await client.kv.range(
        { key: start, range_end: rangeEnd, limit, revision, keys_only: keep === undefined },
        { deadline },
      );
      return {
        entries: res.kvs.map((kv) => ({
          key: Buffer.from(kv.key),
          valueSize: kv.value.length,
          ...(keep === undefined ? {} : { valuePrefix: Buffer.from(kv.value.subarray(0, keep)) }),
        })),
        more: Boolean(res.more),
        revision: Number(res.header.revision),
      };
    } catch (err) {
      if (err instanceof GRPCResourceExhastedError && limit > 1) {
        limit = Math.ceil(limit / 2);
        continue;
      }
      const typed = toEtcdError(err, { revision });
      if (typed instanceof RevisionCompactedError && revision > 0) revision = 0;
      else throw typed;
    }
  }
}
