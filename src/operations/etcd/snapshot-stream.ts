/**
 * A member's snapshot stream into a store's sink, in one pass and constant memory:
 * hashed as it arrives (the trailing SHA-256 and the bbolt header, snapshot-hash.ts),
 * gzipped when asked, and the SHA-256 of the stored bytes computed on the way. The
 * sink holds back its copy until commit, so a stream that fails its check is aborted
 * before anything could look valid.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { describeError } from '../../domain/errors.js';
import type { ProgressFn } from '../../domain/snapshot.js';
import type { EtcdMember } from './client.js';
import { checkingStream, digestStream, TrailingHashCheck } from './snapshot-hash.js';
import { StoreWriteError, type SnapshotSink } from './store/snapshot-store.js';

export interface Streamed {
  /** Undefined: the stream was complete and its trailing hash matched. */
  problem?: string;
  /** The store failed (not etcd): `problem` says how. */
  storeFailed?: boolean;
  /** Bytes stored (compressed when gzip). */
  size: number;
  /** Bytes of etcd's stream. */
  streamSize: number;
  /** SHA-256 of the stored bytes, hex. */
  sha256: string;
}

export interface StreamOptions {
  compress: boolean;
  /** Bound on silence: no chunk from etcd and no progress of the store for this long. */
  timeoutMs: number;
  onProgress?: ProgressFn;
}

export async function streamIntoSink(
  member: EtcdMember,
  sink: SnapshotSink,
  opts: StreamOptions,
): Promise<Streamed> {
  const abort = new AbortController();
  const idleMs = Math.max(opts.timeoutMs, sink.stallMs);
  let idle: NodeJS.Timeout | undefined;
  let over = false;
  const touch = () => {
    clearTimeout(idle);
    // The store reports progress after the stream ended too (commit): no timer then.
    if (over) return;
    idle = setTimeout(
      () => abort.abort(new Error(`the snapshot stream stalled: no data for ${idleMs} ms`)),
      idleMs,
    );
  };
  sink.onActivity(touch);
  const check = new TrailingHashCheck();
  const storedHash = createHash('sha256');
  let storedBytes = 0;
  let lastReport = 0;
  try {
    touch();
    await pipeline(
      Readable.from(member.snapshot(abort.signal)),
      checkingStream(check, (bytes) => {
        touch();
        if (bytes - lastReport >= 8 * 2 ** 20) {
          lastReport = bytes;
          opts.onProgress?.({ step: 'streaming', done: bytes });
        }
      }),
      // Uncompressed, the stored bytes are the stream: the check's hash serves both.
      ...(opts.compress
        ? [createGzip({ level: 6 }), digestStream(storedHash, (n) => (storedBytes += n))]
        : []),
      sink.stream,
      { signal: abort.signal },
    );
    return {
      problem: check.problem(),
      size: opts.compress ? storedBytes : check.bytes,
      streamSize: check.bytes,
      sha256: opts.compress ? storedHash.digest('hex') : check.wholeDigest(),
    };
  } catch (err) {
    const cause: unknown = abort.signal.reason ?? err;
    const storeFailed = err instanceof StoreWriteError;
    return {
      problem: storeFailed ? describeError(err) : `the stream failed: ${describeError(cause)}`,
      storeFailed,
      size: 0,
      streamSize: check.bytes,
      sha256: '',
    };
  } finally {
    over = true;
    clearTimeout(idle);
  }
}
