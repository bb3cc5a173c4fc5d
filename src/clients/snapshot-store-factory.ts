/**
 * Builds a cluster's snapshot store from its location: the directory store, or the S3
 * store — whose AWS SDK is loaded on first use, so commands that never touch a bucket
 * do not pay for it. The SDK finds credentials, region and endpoint itself (variables,
 * profile, web identity for IRSA and EKS Pod Identity); only the endpoint is read here,
 * for messages and the restore plan's `--endpoint-url`, without any credential in it.
 */
import { formatSnapshotLocation } from '../domain/snapshot-location.js';
import { dirSnapshotStore } from '../operations/etcd/store/dir-snapshot-store.js';
import type {
  SnapshotStore,
  SnapshotStoreFactory,
} from '../operations/etcd/store/snapshot-store.js';
import type { S3StoreInput } from './s3-context.js';
import { s3DownloadCommand } from './s3-download.js';

type Env = Record<string, string | undefined>;

/** AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, with any user:password@ removed. */
export function s3Endpoint(env: Env): string | undefined {
  const raw = (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL)?.trim();
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return raw.replace(/\/\/[^/@]*@/, '//');
  }
}

export function snapshotStoreFactory(env: Env = process.env): SnapshotStoreFactory {
  return (spec) => {
    const { location } = spec;
    if (location.kind === 'dir') return dirSnapshotStore(location.dir);
    return lazyS3Store(
      {
        bucket: location.bucket,
        prefix: location.prefix,
        settings: spec.s3,
        endpoint: s3Endpoint(env),
      },
      formatSnapshotLocation(location),
    );
  };
}

function lazyS3Store(input: S3StoreInput, location: string): SnapshotStore {
  let store: Promise<SnapshotStore> | undefined;
  const real = () =>
    (store ??= import('./s3-snapshot-store.js').then((m) => m.s3SnapshotStore(input)));
  return {
    location,
    prepare: async (opts) => (await real()).prepare(opts),
    create: async (file) => (await real()).create(file),
    list: async (cluster) => (await real()).list(cluster),
    find: async (ref) => (await real()).find(ref),
    open: async (entry) => (await real()).open(entry),
    remove: async (entry) => (await real()).remove(entry),
    downloadCommand: (entry, dest) => s3DownloadCommand(entry.path, dest, input.endpoint),
  };
}
