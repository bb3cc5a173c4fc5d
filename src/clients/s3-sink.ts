/**
 * One snapshot being uploaded: lib-storage's Upload reads a PassThrough in parts of
 * `partSize`, `queueSize` at once, while the snapshot streams. The writer's stream
 * never ends that PassThrough: only `commit` does, so a stream that fails its check
 * is aborted before the last part, and no object is ever completed from it. Commit
 * waits for the upload, reads the object back and hashes it, and writes the metadata
 * object last; a mismatch deletes the object.
 */
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, Writable } from 'node:stream';
import { describeError } from '../domain/errors.js';
import type { SnapshotMeta } from '../domain/snapshot.js';
import { META_SUFFIX } from '../operations/etcd/snapshot-names.js';
import {
  StoreWriteError,
  type AbortOutcome,
  type SnapshotSink,
} from '../operations/etcd/store/snapshot-store.js';
import { readBack, send, type S3Context } from './s3-context.js';
import { s3Error, s3ErrorName } from './s3-errors.js';

/** How long the writer may wait on the upload before it calls the stream stalled. */
const STALL_MS = 150_000;

export function s3Sink(ctx: S3Context, key: string): SnapshotSink {
  const url = ctx.url(key);
  const body = new PassThrough();
  const upload = new Upload({
    client: ctx.client,
    params: { Bucket: ctx.bucket, Key: key, Body: body, ...ctx.put },
    partSize: ctx.settings.partSize,
    queueSize: ctx.settings.queueSize,
    leavePartsOnError: false,
  });
  const listeners: (() => void)[] = [];
  upload.on('httpUploadProgress', () => listeners.forEach((l) => l()));
  let failure: unknown;
  let finished = false;
  const settled = upload.done().then(
    () => void (finished = true),
    (err: unknown) => void (failure = err),
  );
  const failed = () =>
    new StoreWriteError(
      `the upload to ${url} failed: ${describeError(s3Error(failure, ctx, 'the upload'))}`,
      {
        cause: failure,
      },
    );
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (failure) return done(failed());
      if (body.write(chunk)) done();
      else body.once('drain', () => done());
    },
    // Ending the writer's stream does not complete the upload: commit does.
    final: (done) => done(),
  });
  void settled.then(() => {
    if (failure && !stream.destroyed) stream.destroy(failed());
  });
  let ended = false;
  const abort = async (): Promise<AbortOutcome> => {
    if (!ended) body.destroy(new Error('snapshot aborted'));
    await settled;
    if (finished) return deleteObject(ctx, key, url);
    if (!upload.uploadId) return { cleaned: [] };
    return abortUpload(ctx, key, upload.uploadId, url);
  };
  return {
    stream,
    stallMs: STALL_MS,
    onActivity: (listener) => void listeners.push(listener),
    commit: async (meta: SnapshotMeta) => {
      ended = true;
      body.end();
      await settled;
      if (failure) throw failed();
      const back = await readBack(ctx, key);
      if (back.size !== meta.size || back.sha256 !== meta.sha256) {
        const removed = await deleteObject(ctx, key, url);
        return {
          ok: false,
          problem: `the object read back differs from what was sent (${back.size} of ${meta.size} bytes, SHA-256 ${back.sha256 === meta.sha256 ? 'equal' : 'different'}); ${removed.leftover ? `it could not be deleted: ${removed.leftover}` : 'it was deleted'}`,
        };
      }
      // The metadata last: only now does the snapshot count.
      await send(ctx, 'writing the metadata', () =>
        ctx.client.send(
          new PutObjectCommand({
            Bucket: ctx.bucket,
            Key: `${key}${META_SUFFIX}`,
            Body: `${JSON.stringify(meta, null, 2)}\n`,
            ContentType: 'application/json',
            ...ctx.put,
          }),
        ),
      );
      return { ok: true, location: url };
    },
    abort: () =>
      abort().catch((err: unknown) => ({
        cleaned: [],
        leftover: `${url} (${describeError(err)})`,
      })),
  };
}

async function deleteObject(ctx: S3Context, key: string, url: string): Promise<AbortOutcome> {
  try {
    await ctx.client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key }));
    return { cleaned: [url] };
  } catch (err) {
    return {
      cleaned: [],
      leftover: `the object ${url} (${s3ErrorName(err)}: ${describeError(err)})`,
    };
  }
}

/**
 * lib-storage has tried AbortMultipartUpload already (leavePartsOnError: false); ask
 * once more to know the outcome: NoSuchUpload means it is gone.
 */
async function abortUpload(
  ctx: S3Context,
  key: string,
  uploadId: string,
  url: string,
): Promise<AbortOutcome> {
  const what = `the unfinished multipart upload ${uploadId} of ${url}`;
  try {
    await ctx.client.send(
      new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId }),
    );
    return { cleaned: [what] };
  } catch (err) {
    if (s3ErrorName(err) === 'NoSuchUpload') return { cleaned: [what] };
    return { cleaned: [], leftover: `${what} (${s3ErrorName(err)}: ${describeError(err)})` };
  }
}
