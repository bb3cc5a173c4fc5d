/**
 * Which store keeps a cluster's snapshots, from the config once, here: a `--store` or
 * `--dir` given on the command line, else the cluster's `snapshots.store` (which
 * QUORUM_SNAPSHOT_STORE sets for the default cluster), its `snapshotDir`, the default
 * `snapshots.store`, and last `snapshotDir` (QUORUM_SNAPSHOT_DIR).
 */
import type { ClusterConfig, Config } from '../../config/schema.js';
import { QuorumError } from '../../domain/errors.js';
import {
  formatSnapshotLocation,
  parseSnapshotLocation,
  type SnapshotLocation,
} from '../../domain/snapshot-location.js';
import { dirSnapshotStore } from '../../operations/etcd/store/dir-snapshot-store.js';
import type {
  SnapshotStore,
  SnapshotStoreFactory,
  SnapshotStoreSpec,
} from '../../operations/etcd/store/snapshot-store.js';

/** The location text for `cluster`: `override` first. */
export function snapshotStoreText(config: Config, cluster: ClusterConfig, override?: string): string {
  return (
    override ??
    cluster.snapshots?.store ??
    cluster.snapshotDir ??
    config.snapshots.store ??
    config.snapshotDir
  );
}

/** The spec a SnapshotStoreFactory builds the cluster's store from. */
export function snapshotStoreSpec(
  config: Config,
  cluster: ClusterConfig,
  override?: string,
): SnapshotStoreSpec {
  return { location: locationOf(snapshotStoreText(config, cluster, override)), s3: config.snapshots.s3 };
}

/** A location given on the command line (`--store`, or a ref like `s3://…/x.db`'s store). */
export function locationOf(text: string): SnapshotLocation {
  const parsed = parseSnapshotLocation(text);
  if (parsed.ok) return parsed.location;
  throw new QuorumError(
    'USAGE',
    `The snapshot store ${parsed.problem}.`,
    'Give a directory, or s3://BUCKET/PREFIX (e.g. --store s3://backups/etcd).',
  );
}

/**
 * The cluster's store, built by the wiring's factory. Without one (a test's hand-made
 * deps), a directory still works and a bucket is refused.
 */
export function snapshotStoreOf(
  factory: SnapshotStoreFactory | undefined,
  spec: SnapshotStoreSpec,
): SnapshotStore {
  if (factory) return factory(spec);
  if (spec.location.kind === 'dir') return dirSnapshotStore(spec.location.dir);
  throw new QuorumError(
    'INTERNAL',
    `This process was built without an S3 client, so it cannot use ${formatSnapshotLocation(spec.location)}.`,
    'Run the quorum binary (its wiring in src/deps.ts builds the S3 store).',
  );
}
