/** What most commands start with: config, the chosen cluster, an etcd connector, its snapshot store. */
import os from 'node:os';
import path from 'node:path';
import { snapshotStoreOf, snapshotStoreSpec } from '../../app/snapshots/store-spec.js';
import { resolveCluster } from '../../config/load.js';
import type { ClusterConfig, Config } from '../../config/schema.js';
import type { EtcdConnector } from '../../operations/etcd/client.js';
import type { SnapshotStore } from '../../operations/etcd/store/snapshot-store.js';
import type { CliDeps, CliIo } from './io.js';

export interface ClusterContext {
  config: Config;
  cluster: ClusterConfig;
  connect: EtcdConnector;
  /** The cluster's snapshot store (`--store`/`--dir` when given), built on first use. */
  snapshots(): SnapshotStore;
  /** The cluster's local snapshot directory (`--dir` when given): drill records are kept there. */
  snapshotDir: string;
  /**
   * The store a snapshot reference lives in: an `s3://…/file` URL's bucket and prefix, a
   * path's directory, else the cluster's store.
   */
  storeOf(ref: string): SnapshotStore;
}

export function clusterContext(
  io: CliIo,
  deps: CliDeps,
  name?: string,
  store?: string,
): ClusterContext {
  const config = deps.loadConfig(io.env);
  const cluster = resolveCluster(config, name);
  const build = (override?: string) =>
    snapshotStoreOf(deps.snapshotStore, snapshotStoreSpec(config, cluster, override));
  let own: SnapshotStore | undefined;
  const snapshots = () => (own ??= build(store));
  return {
    config,
    cluster,
    connect: deps.etcdConnector(cluster),
    snapshots,
    snapshotDir:
      store && !/^s3:\/\//.test(store) ? store : (cluster.snapshotDir ?? config.snapshotDir),
    storeOf: (ref) =>
      /^s3:\/\//.test(ref)
        ? build(ref.slice(0, ref.lastIndexOf('/')))
        : ref.includes('/')
          ? build(path.dirname(ref))
          : snapshots(),
  };
}

/** Who asked, for the audit trail: `alice@cp-1 (cli)`. */
export function cliRequester(env: Record<string, string | undefined>): string {
  let user = env.USER ?? 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep $USER
  }
  return `${user}@${os.hostname()} (cli)`;
}
