/**
 * The shape of one entry in the job catalogue (catalogue.ts): everything the
 * runtime needs to enqueue, approve, bound, retry and run a kind of job.
 */
import type { z } from 'zod';
import type { ClusterConfig, Config } from '../../config/schema.js';
import type { DrillRecords } from '../../domain/drill.js';
import type { Report } from '../../domain/report.js';
import type { SecurityHistory } from '../../domain/security-progress.js';
import type { ProgressFn } from '../../domain/snapshot.js';
import type { BackupClient } from '../../operations/backup/client.js';
import type { EtcdConnector } from '../../operations/etcd/client.js';
import type { SnapshotStore } from '../../operations/etcd/store/snapshot-store.js';
import type { LatencySamples } from '../../operations/etcd/latency-step.js';
import type { KubeClient } from '../../operations/kube/client.js';

/** What a handler gets: configuration, its cluster's clients, and a progress callback. */
export interface JobContext {
  config: Config;
  cluster: ClusterConfig;
  connect: EtcdConnector;
  /** The cluster's Kubernetes API client, built on first use (from its kubeconfig or the pod's service account). */
  kube(): KubeClient;
  /** The same API server's Velero and volume objects, built on first use like `kube()`. */
  backup(): BackupClient;
  requestedBy: string;
  /** The job's id (`velero.backup@<trigger id>`): the same for every attempt of one request. */
  jobId: string;
  /** Reaches the job (job.updateProgress) and from it the reporter. */
  progress: ProgressFn;
  /** The cluster's latency samples kept between checks (Redis), so a check judges the time since the last one. */
  latencySamples?: LatencySamples;
  /** The cluster's snapshot store (a directory, or a bucket), built on first use. */
  snapshots(): SnapshotStore;
  /** The cluster's drill records (Redis): the last drill and the last successful one. */
  drills?: DrillRecords;
  /** The clusters' last security audits (Redis), so an audit says what changed since. */
  securityHistory?: SecurityHistory;
}

export interface JobKind<P = unknown> {
  /** The BullMQ job name, e.g. `etcd.snapshot`. */
  name: string;
  /** For messages: `etcd snapshot` → "etcd snapshot of prod". */
  title: string;
  /** The job's own parameters; a payload that does not parse fails at once (no retry). */
  params: z.ZodType<P>;
  /** Changes a cluster: enqueued only with an approval, never on one person's word. */
  destructive: boolean;
  /** Takes the cluster's maintenance lease: at most one such job per cluster at a time. */
  maintenance: boolean;
  /** After this long the attempt fails (and is retried if attempts remain). */
  timeoutMs(config: Config, cluster: ClusterConfig): number;
  /** Total attempts, the first included. */
  attempts: number;
  /** Delay before a retry: fixed, or doubling from `delay`. */
  backoff: { type: 'fixed' | 'exponential'; delay: number };
  run(ctx: JobContext, params: P): Promise<Report>;
  /** What the job's audit entries add (`namespace shop, backup quorum-shop-…`), from its params and id. */
  auditDetail?(params: P, jobId: string): string;
}

/** Identity with type inference for `P`: `defineJob({ params: z.object(...), run(ctx, p) {...} })`. */
export function defineJob<P>(kind: JobKind<P>): JobKind<P> {
  return kind;
}

/** The local snapshot directory of a cluster: its own, or the global one (drill records live there). */
export function snapshotDirOf(config: Config, cluster: ClusterConfig): string {
  return cluster.snapshotDir ?? config.snapshotDir;
}

/** The inputs every etcd operation shares. */
export function etcdInput(ctx: JobContext) {
  return {
    cluster: ctx.cluster.name,
    endpoints: ctx.cluster.etcd.endpoints,
    timeoutMs: ctx.config.check.timeout,
  };
}
