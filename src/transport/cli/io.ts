/** What a CLI command gets: its streams, environment and the wiring that builds real clients. */
import type { QuorumError } from '../../domain/errors.js';
import type { Config, ClusterConfig } from '../../config/schema.js';
import type { Logger } from '../../domain/logger.js';
import type { BackupConnector } from '../../operations/backup/client.js';
import type { EtcdConnector } from '../../operations/etcd/client.js';
import type { SnapshotStoreFactory } from '../../operations/etcd/store/snapshot-store.js';
import type { KubeConnector } from '../../operations/kube/client.js';
import type { OwnedRuntimeDeps, RuntimeDepsOptions } from '../queue/runtime.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

export interface CliDeps {
  loadConfig(env: Record<string, string | undefined>): Config;
  etcdConnector(cluster: ClusterConfig): EtcdConnector;
  /** The cluster's Kubernetes API client (its kubeconfig, else kubectl's rules over `env`). */
  kubeConnector: KubeConnector;
  /** The same cluster's Velero and volume objects (`backup status`), loaded as lazily. */
  backupConnector: BackupConnector;
  /** Builds a snapshot store (a directory, or S3); without it only directories work. */
  snapshotStore?: SnapshotStoreFactory;
  logger: Logger;
  /** The job runtime's clients (Redis, Slack, metrics), for worker, bot and start; built by main's wiring. */
  runtimeDeps(config: Config, opts: RuntimeDepsOptions): Promise<OwnedRuntimeDeps>;
}

export type ExitStatus = 0 | 1 | 2 | 3;

/** An error on stderr for people, or with `--json` as one JSON object on stdout (nothing on stderr). */
export function printError(io: CliIo, err: QuorumError, json: boolean): void {
  if (json) {
    const body = {
      status: 'error',
      exitCode: 3,
      code: err.code,
      message: err.message,
      hint: err.hint ?? null,
    };
    io.stdout(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    io.stderr(`quorum: ${err.message}\n${err.hint ? `${err.hint}\n` : ''}`);
  }
}
