/**
 * Unfinished multipart uploads under the prefix, left by killed runs: aborted once
 * they are older than any snapshot still running could be. A server that cannot
 * list them (s3rver answers NotImplemented) is said so, as a note: then only the
 * bucket's lifecycle rule AbortIncompleteMultipartUpload removes them, and Quorum
 * never claims it did.
 */
import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type MultipartUpload,
} from '@aws-sdk/client-s3';
import { describeError } from '../domain/errors.js';
import type { StoreCleanup } from '../operations/etcd/store/snapshot-store.js';
import type { S3Context } from './s3-context.js';
import { s3ErrorName } from './s3-errors.js';

/** Older than twice the snapshot job's 30-minute timeout: no live snapshot is still uploading it. */
export const STALE_UPLOAD_MS = 60 * 60_000;

const LIFECYCLE =
  'add the bucket lifecycle rule AbortIncompleteMultipartUpload (e.g. DaysAfterInitiation: 1) so the server removes them';

export async function cleanupUploads(
  ctx: S3Context,
  dryRun: boolean,
  now = Date.now(),
): Promise<StoreCleanup> {
  let uploads: MultipartUpload[];
  try {
    uploads = await listUploads(ctx);
  } catch (err) {
    // Not fatal: a snapshot can still be taken; say what Quorum could not do.
    const name = s3ErrorName(err);
    const why =
      name === 'NotImplemented' || name === 'MethodNotAllowed'
        ? `cannot list unfinished multipart uploads (${name})`
        : `refused to list unfinished multipart uploads (${name}: ${describeError(err)}; the identity needs s3:ListBucketMultipartUploads)`;
    return {
      cleaned: [],
      notes: [
        `${ctx.endpoint ?? 'The object store'} ${why}: Quorum cannot abort those of interrupted snapshots; ${LIFECYCLE}`,
      ],
    };
  }
  const stale = uploads.filter(
    (u) => u.Key && u.UploadId && now - (u.Initiated?.getTime() ?? 0) > STALE_UPLOAD_MS,
  );
  const cleaned: string[] = [];
  const notes: string[] = [];
  for (const u of stale) {
    const what = `the unfinished multipart upload ${u.UploadId} of ${ctx.url(u.Key ?? '')} (started ${u.Initiated?.toISOString() ?? '?'})`;
    if (dryRun) {
      cleaned.push(what);
      continue;
    }
    try {
      await ctx.client.send(
        new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: u.Key, UploadId: u.UploadId }),
      );
      cleaned.push(what);
    } catch (err) {
      notes.push(
        `Could not abort ${what}: ${s3ErrorName(err)}: ${describeError(err)}; ${LIFECYCLE}`,
      );
    }
  }
  return { cleaned, notes };
}

async function listUploads(ctx: S3Context): Promise<MultipartUpload[]> {
  const all: MultipartUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await ctx.client.send(
      new ListMultipartUploadsCommand({
        Bucket: ctx.bucket,
        Prefix: ctx.prefix,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    all.push(...(page.Uploads ?? []));
    if (!page.IsTruncated) return all;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}
