/** What an operation needs of a configured cluster, taken from the config once, here. */
import type { ClusterConfig, Config } from '../config/schema.js';
import type { EtcdConnector } from '../operations/etcd/client.js';
import type { SnapshotStore } from '../operations/etcd/store/snapshot-store.js';
import type { GatherEtcd } from '../operations/upgrade/gather.js';

/** A configured cluster's etcd, as the upgrade precheck gathers it. */
export function gatherEtcdOf(
  config: Config,
  cluster: ClusterConfig,
  connect: EtcdConnector,
  snapshots: SnapshotStore,
): GatherEtcd {
  return {
    connect,
    endpoints: cluster.etcd.endpoints,
    metricsUrls: cluster.etcd.metricsUrls,
    quotaBackendBytes: cluster.etcd.quotaBackendBytes,
    thresholds: config.check.thresholds,
    cacert: cluster.etcd.cacert,
    cert: cluster.etcd.cert,
    snapshotDir: cluster.snapshotDir ?? config.snapshotDir,
    snapshots,
  };
}
