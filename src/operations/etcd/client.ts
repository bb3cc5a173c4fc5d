/**
 * What the etcd operations need from one etcd member, declared by its user.
 * The concrete etcd3 adapter lives in src/clients/etcd3-member.ts; tests and
 * the CLI hand one in. Numbers that etcd sends as 64-bit strings arrive here as
 * numbers (bytes and indexes stay far below 2^53); member IDs stay hex strings.
 */
import type { AlarmInfo, KvHash, MemberInfo, MemberStatus } from '../../domain/etcd.js';
import { QuorumError, type ErrorCode } from '../../domain/errors.js';
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

/**
 * One member, reached at one endpoint. Each call ends by `deadline` (epoch ms) at the latest.
 * A failed call throws one of the EtcdCallError kinds declared below.
 */
export interface EtcdMember {
  readonly endpoint: string;
  status(deadline: number): Promise<MemberStatus>;
  /** A linearizable read, as `etcdctl endpoint health` does; needs a leader and quorum. */
  healthRead(deadline: number): Promise<void>;
  memberList(deadline: number): Promise<MemberInfo[]>;
  alarms(deadline: number): Promise<AlarmInfo[]>;
  /**
   * HashKV at `revision` (0: the member's current revision, returned in `revision`).
   * Throws RevisionCompactedError when that revision is compacted on the member,
   * EtcdFutureRevisionError when it is newer than the member's.
   */
  hashKV(revision: number, deadline: number): Promise<KvHash>;
  /** The Prometheus text from the member's /metrics. */
  metrics(deadline: number): Promise<string>;
  /** The raw snapshot stream: the bbolt file followed by its 32-byte SHA-256. */
  snapshot(signal: AbortSignal): AsyncIterable<Buffer>;
  defragment(deadline: number): Promise<void>;
  /** Physical compaction up to `revision`; RevisionCompactedError when it is compacted already. */
  compact(revision: number, deadline: number): Promise<void>;
  disarm(alarm: AlarmInfo, deadline: number): Promise<void>;
  /**
   * One page of the keys under `prefix`, in key order. etcd's Range has no "first N
   * bytes of a value": with `valuePrefixBytes` each page's values are received in full
   * and all but their first bytes dropped at once, so memory is bounded by one page.
   */
  rangeKeys(prefix: string, page: KeyPageRequest, deadline: number): Promise<KeyPage>;
  /**
   * How many keys start with `prefix` ('' = every key) at `revision` (0: the newest): a
   * count-only read, no key sent. RevisionCompactedError when that revision is compacted.
   */
  countKeys(prefix: string, revision: number, deadline: number): Promise<number>;
  /**
   * How this endpoint answers a stranger: a client with no certificate and no user,
   * the server certificate from a TLS handshake, and /metrics without credentials.
   */
  accessProbe(deadline: number): Promise<EtcdEndpointAccess>;
  close(): void;
}

/*
 * What a failed call throws, by kind, so operations decide with `instanceof` and never
 * read message text. Each is a QuorumError (a code and a hint for whoever reads it);
 * the message is etcd's or gRPC's, shortened (`connect ECONNREFUSED 10.0.0.3:2379`).
 * Anything else the adapter throws is an EtcdCallError itself (ETCD_OPERATION_FAILED).
 */

/** A failed call to etcd that is none of the kinds below. */
export class EtcdCallError extends QuorumError {
  override readonly name: string = 'EtcdCallError';
  constructor(
    message: string,
    cause: unknown,
    code: ErrorCode = 'ETCD_OPERATION_FAILED',
    hint?: string,
  ) {
    super(code, message, hint ?? "Run `quorum etcd check` and look at the members' logs.", {
      cause,
    });
  }
}

/** No connection to the member: refused, unresolvable, TLS handshake failed (gRPC UNAVAILABLE). */
export class EtcdUnavailableError extends EtcdCallError {
  override readonly name = 'EtcdUnavailableError';
  constructor(message: string, cause?: unknown) {
    super(
      message,
      cause,
      'ETCD_UNREACHABLE',
      'Check that etcd runs there and that this host reaches it: `quorum etcd check` tests every endpoint.',
    );
  }
}

/** The member did not answer before the call's deadline (gRPC DEADLINE_EXCEEDED). */
export class EtcdDeadlineError extends EtcdCallError {
  override readonly name = 'EtcdDeadlineError';
  constructor(cause?: unknown) {
    super(
      'no answer before the deadline',
      cause,
      'ETCD_UNREACHABLE',
      'The member is stopped, cut off or overloaded: `quorum etcd check` shows which members answer, and how fast.',
    );
  }
}

/** Authenticated, but the user's role does not allow this call (etcd's permission denied). */
export class EtcdPermissionError extends EtcdCallError {
  override readonly name = 'EtcdPermissionError';
  constructor(message: string, cause?: unknown) {
    super(
      message,
      cause,
      'ETCD_ACCESS_DENIED',
      'The etcd user lacks a permission this needs: maintenance (snapshot, defrag, HashKV) needs the root role; grant it with `etcdctl user grant-role`, or configure a user that has it.',
    );
  }
}

/** etcd has auth on and refused the credentials: none given, a wrong password, an invalid token. */
export class EtcdAuthError extends EtcdCallError {
  override readonly name = 'EtcdAuthError';
  constructor(message: string, cause?: unknown) {
    super(
      message,
      cause,
      'ETCD_ACCESS_DENIED',
      "Check the etcd user and password (ETCDCTL_USER, or the cluster's etcd.username and etcd.password keys) with `etcdctl --user USER endpoint status`.",
    );
  }
}

/**
 * HashKV (or a read, or a compaction) asked for a revision at or below the member's
 * compaction point: etcd 3.4 refuses a hash at the compacted revision itself, 3.5 answers it.
 */
export class RevisionCompactedError extends EtcdCallError {
  override readonly name = 'RevisionCompactedError';
  constructor(
    readonly revision: number,
    cause?: unknown,
  ) {
    super(`revision ${revision} has been compacted`, cause);
  }
}

/** A revision newer than the member's own: it is behind, or the revision came from elsewhere. */
export class EtcdFutureRevisionError extends EtcdCallError {
  override readonly name = 'EtcdFutureRevisionError';
  constructor(
    readonly revision: number,
    cause?: unknown,
  ) {
    super(`revision ${revision} is newer than the member's`, cause);
  }
}

/** Opens a client to one endpoint; `metricsUrl` overrides `${endpoint}/metrics`. */
export type EtcdConnector = (endpoint: string, metricsUrl?: string) => EtcdMember;

/** etcd's member IDs as the 16-digit hex etcdctl prints. */
export function hexId(id: string | number | bigint): string {
  return BigInt(id).toString(16).padStart(16, '0');
}
