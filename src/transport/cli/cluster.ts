/** What most commands start with: config, the chosen cluster, an etcd connector. */
import os from 'node:os';
import { resolveCluster } from '../../config/load.js';
import type { ClusterConfig, Config } from '../../config/schema.js';
import type { EtcdConnector } from '../../operations/etcd/client.js';
import type { CliDeps, CliIo } from './io.js';

export interface ClusterContext {
  config: Config;
  cluster: ClusterConfig;
  connect: EtcdConnector;
  snapshotDir: string;
}

export function clusterContext(
  io: CliIo,
  deps: CliDeps,
  name?: string,
  dir?: string,
): ClusterContext {
  const config = deps.loadConfig(io.env);
  const cluster = resolveCluster(config, name);
  return {
    config,
    cluster,
    connect: deps.etcdConnector(cluster),
    snapshotDir: dir ?? cluster.snapshotDir ?? config.snapshotDir,
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
