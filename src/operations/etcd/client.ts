/**
 * What the etcd operations need from one etcd member, declared by its user.
 * The concrete etcd3 adapter lives in src/clients/etcd3-member.ts; tests and
 * the CLI hand one in. Numbers that etcd sends as 64-bit strings arrive here as
 * numbers (bytes and indexes stay far below 2^53); member IDs stay hex strings.
 */
import type { AlarmInfo, KvHash, MemberInfo, MemberStatus } from '../../domain/etcd.js';

/** One member, reached at one endpoint. Each call ends by `deadline` (epoch ms) at the latest. */
export interface EtcdMember {
  readonly endpoint: string;
  status(deadline: number): Promise<MemberStatus>;
  /** A linearizable read, as `etcdctl endpoint health` does; needs a leader and quorum. */
  healthRead(deadline: number): Promise<void>;
  memberList(deadline: number): Promise<MemberInfo[]>;
  alarms(deadline: number): Promise<AlarmInfo[]>;
  hashKV(revision: number, deadline: number): Promise<KvHash>;
  /** The Prometheus text from the member's /metrics. */
  metrics(deadline: number): Promise<string>;
  /** The raw snapshot stream: the bbolt file followed by its 32-byte SHA-256. */
  snapshot(signal: AbortSignal): AsyncIterable<Buffer>;
  defragment(deadline: number): Promise<void>;
  /** Physical compaction up to `revision`. */
  compact(revision: number, deadline: number): Promise<void>;
  disarm(alarm: AlarmInfo, deadline: number): Promise<void>;
  close(): void;
}

/** Opens a client to one endpoint; `metricsUrl` overrides `${endpoint}/metrics`. */
export type EtcdConnector = (endpoint: string, metricsUrl?: string) => EtcdMember;

/** etcd's member IDs as the 16-digit hex etcdctl prints. */
export function hexId(id: string | number | bigint): string {
  return BigInt(id).toString(16).padStart(16, '0');
}
