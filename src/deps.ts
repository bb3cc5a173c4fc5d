/** The real clients behind the CLI: the only place (with main.ts) that builds them. */
import { loadEtcdCredentials } from './clients/etcd-credentials.js';
import { etcd3Connector } from './clients/etcd3-member.js';
import { lazyBackupConnector, lazyKubeConnector } from './clients/kube-lazy.js';
import { snapshotStoreFactory } from './clients/snapshot-store-factory.js';
import { loadConfig } from './config/load.js';
import { createLogger } from './logging.js';
import type { CliDeps } from './transport/cli/io.js';

export function realCliDeps(env: Record<string, string | undefined>): CliDeps {
  const level =
    env.LOG_LEVEL && /^(trace|debug|info|warn|error|fatal|silent)$/.test(env.LOG_LEVEL)
      ? env.LOG_LEVEL
      : 'warn';
  return {
    loadConfig,
    etcdConnector: (cluster) => etcd3Connector(loadEtcdCredentials(cluster.etcd)),
    kubeConnector: lazyKubeConnector(async () => {
      const { kubeClient } = await import('./clients/kube.js');
      return (cluster) => kubeClient(cluster, env);
    }),
    backupConnector: lazyBackupConnector(async () => {
      const { backupClient } = await import('./clients/kube-backup.js');
      return (cluster) => backupClient(cluster, env);
    }),
    logger: createLogger(level as 'warn'),
    snapshotStore: snapshotStoreFactory(env),
    // Loaded when a long-running command starts, so the other commands stay quick.
    runtimeDeps: async (config, opts) =>
      (await import('./runtime-deps.js')).buildRuntimeDeps(config, opts),
  };
}
