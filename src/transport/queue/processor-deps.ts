/** What the cluster worker's processor (process-job.ts) is given, and a job as it resolves it. */
import type { Job } from 'bullmq';
import type { ClusterConfig, Config } from '../../config/schema.js';
import type { Report } from '../../domain/report.js';
import type { BackupConnector } from '../../operations/backup/client.js';
import type { EtcdConnector } from '../../operations/etcd/client.js';
import type { SnapshotStoreFactory } from '../../operations/etcd/store/snapshot-store.js';
import type { KubeConnector } from '../../operations/kube/client.js';
import type { StateRedis } from '../../state/redis.js';
import type { JobEnvelope, JobSummary } from './job-data.js';
import type { JobKind } from './job-kind.js';
import type { MaintenanceDeps } from './maintenance.js';
import type { JobInfo, Reporter } from './reporter.js';

export type ClusterJob = Job<JobEnvelope, JobSummary, string>;

export interface ProcessorDeps extends MaintenanceDeps {
  redis: MaintenanceDeps['redis'] & StateRedis;
  config: Config;
  etcdConnector(cluster: ClusterConfig): EtcdConnector;
  kubeConnector: KubeConnector;
  /** Velero's objects on the same API server (`backup.status`, `velero.backup`). */
  backupConnector?: BackupConnector;
  /** Builds the clusters' snapshot stores (runtime-deps.ts); without it only directories work. */
  snapshotStore?: SnapshotStoreFactory;
  reporter: Reporter;
  /** Told when a job ends for good (its report, or why it failed): a runbook step advances. */
  afterJob?: (
    envelope: JobEnvelope,
    end: { report: Report } | { failure: string },
  ) => Promise<void>;
  /** How long a finished operation's result waits for Redis to be recorded; 5 min by default. */
  recordTimeoutMs?: number;
}

/** A job checked against the catalogue and the config. */
export interface Resolved {
  kind: JobKind;
  envelope: JobEnvelope;
  params: unknown;
  cluster: ClusterConfig;
  info: JobInfo;
}
