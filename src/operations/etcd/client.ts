/**
 * What the etcd operations need from one etcd member, declared by its user.
 * The concrete etcd3 adapter lives in src/clients/etcd3-member.ts; tests and
 * the CLI hand one in. Numbers that etcd sends as 64-bit strings arrive here as
 * numbers (bytes and indexes stay far below 2^53); member IDs stay hex strings.
 */
import type { AlarmInfo, KvHash, MemberInfo, MemberStatus } from '../../domain/etcd.js';
import type { EtcdEndpointAccess } from '../../domain/security.js';

/** One page of a key scan: from `startKey` (inclusive; the prefix itself when absent). */
export interface KeyPageRequest {
  startKey?: Buffer;
  /** At most this many keys; the adapter may return fewer (a page too large for one message). */
  limit: number;
  /**
   * Keep this many bytes of each value (copied; the rest is dropped as the page is read).
   * Absent: keys only, no value is read at all.
   */
  valuePrefixBytes?: number;
  /** Read at this revision (one consistent view across pages); 0 or absent: the newest. */
  revision?: number;
}

export interface KeyPage {
  entries: { key: Buffer; valuePrefix?: Buffer; valueSize: number }[];
  /** More keys follow under the prefix. */
  more: boolean;
  /** The revision this page was read at (newer than asked when that one was compacted). */
  revision: number;
}

/** One member, reached at one endpoint. Each call ends by `deadline` (epoch ms) at the latest. */
export interface EtcdMember {
  readonly endpoint: string;
  status(deadline: number): Promise<MemberStatus>;
  /** A linearizable read, as `etcdctl endpoint health` does; needs a leader and quorum. */
  healthRead(deadline: number): Promise<void>;
  memberList(deadline: number): Promise<MemberInfo[]>;
  alarms(deadline: number): Promise<AlarmInfo[]>;
  /**
   * HashKV at `revision` (0: the member's current revision, returned in `revision`).
   * Throws RevisionCompactedError when that revision is compacted on the member.
   */
  hashKV(revision: number, deadline: number): Promise<KvHash>;
  /** The Prometheus text from the member's /metrics. */
  metrics(deadline: number): Promise<string>;
  /** The raw snapshot stream: the bbolt file followed by its 32-byte SHA-256. */
  snapshot(signal: AbortSignal): AsyncIterable<Buffer>;
  defragment(deadline: number): Promise<void>;
  /** Physical compaction up to `revision`. */
  compact(revision: number, deadline: number): Promise<void>;
  disarm(alarm: AlarmInfo, deadline: number): Promise<void>;
  /**
   * One page of the keys under `prefix`, in key order. etcd's Range has no "first N
   * bytes of a value": with `valuePrefixBytes` each page's values are received in full
   * and all but their first bytes dropped at once, so memory is bounded by one page.
   */
  rangeKeys(prefix: string, page: KeyPageRequest, deadline: number): Promise<KeyPage>;
  /**
   * How this endpoint answers a stranger: a client with no certificate and no user,
   * the server certificate from a TLS handshake, and /metrics without credentials.
   */
  accessProbe(deadline: number): Promise<EtcdEndpointAccess>;
  close(): void;
}

/**
 * HashKV (or a read) asked for a revision at or below the member's compaction point:
 * etcd 3.4 refuses a hash at the compacted revision itself, 3.5 answers it.
 */
export class RevisionCompactedError extends Error {
  constructor(readonly revision: number) {
    super(`revision ${revision} has been compacted`);
    this.name = 'RevisionCompactedError';
  }
}

/** Opens a client to one endpoint; `metricsUrl` overrides `${endpoint}/metrics`. */
export type EtcdConnector = (endpoint: string, metricsUrl?: string) => EtcdMember;

/** etcd's member IDs as the 16-digit hex etcdctl prints. */
export function hexId(id: string | number | bigint): string {
  return BigInt(id).toString(16).padStart(16, '0');
}
