/**
 * Snapshots in S3-compatible object storage (`s3://BUCKET/PREFIX`), through the AWS
 * SDK only: `@aws-sdk/lib-storage`'s Upload streams the bytes in parts while they
 * arrive (memory: partSize × queueSize in flight, 8 MiB × 4 by default, whatever the
 * database size), with S3's own checksums as a first check. Nothing half-written ever
 * looks valid: the upload is completed only at commit, read back and hashed, and the
 * metadata object `<file>.json` is written last; an aborted or failed upload is
 * aborted (leavePartsOnError: false, then AbortMultipartUpload once more), and
 * `prepare` aborts unfinished uploads of killed runs where the server can list them.
 * Credentials, region and endpoint come from the SDK's own chain and variables.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { QuorumError } from '../domain/errors.js';
import type { SnapshotEntry } from '../domain/snapshot.js';
import { META_SUFFIX } from '../operations/etcd/snapshot-names.js';
import { newestFirst, parseMeta, snapshotEntry } from '../operations/etcd/store/snapshot-entry.js';
import type { SnapshotStore } from '../operations/etcd/store/snapshot-store.js';
import { s3Context, send, type S3Context, type S3StoreInput } from './s3-context.js';
import { s3DownloadCommand } from './s3-download.js';
import { noRegionError } from './s3-errors.js';
import { s3Sink } from './s3-sink.js';
import { cleanupUploads } from './s3-uploads.js';

export type { S3StoreInput } from './s3-context.js';

export function s3SnapshotStore(input: S3StoreInput): SnapshotStore {
  const ctx = s3Context(input);
  const location = ctx.location;
  let reached: Promise<void> | undefined;
  /** The region resolves and the prefix can be listed: else a QuorumError naming what to fix. */
  const reach = () =>
    (reached ??= (async () => {
      await ctx.client.config.region().catch((err: unknown) => {
        throw noRegionError(ctx, err);
      });
      // A listing, not HeadBucket: its errors carry a code (HEAD answers have no body).
      // No MaxKeys: s3rver fails a truncated listing with InternalError.
      await send(ctx, 'a listing', () =>
        ctx.client.send(
          new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: ctx.prefix, Delimiter: '/' }),
        ),
      );
    })());
  return {
    location,
    prepare: async (opts = {}) => {
      await reach();
      return cleanupUploads(ctx, opts.dryRun ?? false);
    },
    create: async (file) => {
      await reach();
      return s3Sink(ctx, ctx.prefix + file);
    },
    list: async (cluster) => {
      await reach();
      return listEntries(ctx, cluster);
    },
    find: async (ref) => {
      await reach();
      const name = ref.startsWith('s3://') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
      const found = (await listEntries(ctx)).find(
        (e) => e.id === name || e.path.endsWith(`/${name}`),
      );
      if (found && !(ref.startsWith('s3://') && found.path !== ref)) return found;
      throw new QuorumError(
        'SNAPSHOT_NOT_FOUND',
        `No snapshot "${ref}" in ${location}.`,
        'List them with `quorum etcd snapshots` (`--store s3://BUCKET/PREFIX` for another store).',
      );
    },
    open: async (entry) => {
      const out = await send(ctx, `reading ${entry.id}`, () =>
        ctx.client.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: keyOf(ctx, entry) })),
      );
      return out.Body as Readable;
    },
    remove: async (entry) => {
      const key = keyOf(ctx, entry);
      // The metadata first: a half-removed snapshot never looks valid.
      for (const Key of [`${key}${META_SUFFIX}`, key]) {
        await send(ctx, `removing ${entry.id}`, () =>
          ctx.client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key })),
        );
      }
    },
    downloadCommand: (entry, dest) => s3DownloadCommand(entry.path, dest, ctx.endpoint),
  };
}

function keyOf(ctx: S3Context, entry: SnapshotEntry): string {
  const head = `s3://${ctx.bucket}/`;
  if (!entry.path.startsWith(head)) throw new Error(`${entry.path} is not in ${ctx.location}`);
  return entry.path.slice(head.length);
}

/** Every object directly under the prefix: snapshots, and their metadata read (8 at a time). */
async function listEntries(ctx: S3Context, cluster?: string): Promise<SnapshotEntry[]> {
  const objects = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await send(ctx, 'a listing', () =>
      ctx.client.send(
        new ListObjectsV2Command({
          Bucket: ctx.bucket,
          Prefix: ctx.prefix,
          Delimiter: '/',
          ContinuationToken: token,
        }),
      ),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key) objects.set(o.Key.slice(ctx.prefix.length), o.Size ?? 0);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const names = [...objects.keys()].filter((name) => {
    const entry = snapshotEntry(name, '', 0, undefined);
    return entry && (cluster === undefined || entry.cluster === cluster);
  });
  const entries: SnapshotEntry[] = [];
  for (let i = 0; i < names.length; i += 8) {
    const batch = names.slice(i, i + 8).map(async (name) => {
      const key = ctx.prefix + name;
      const meta = objects.has(`${name}${META_SUFFIX}`) ? await readMeta(ctx, key) : undefined;
      return snapshotEntry(name, ctx.url(key), objects.get(name) ?? 0, meta);
    });
    for (const e of await Promise.all(batch)) if (e) entries.push(e);
  }
  return entries.sort(newestFirst);
}

async function readMeta(ctx: S3Context, key: string) {
  const out = await send(ctx, 'reading metadata', () =>
    ctx.client.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: `${key}${META_SUFFIX}` })),
  );
  return parseMeta((await out.Body?.transformToString()) ?? '');
}
