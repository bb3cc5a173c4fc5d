/**
 * The job runtime of one process: cluster workers, the outbox consumer, schedules
 * from the config, health/readiness/metrics. `quorum worker` runs it for one cluster,
 * `quorum start` for all; `quorum bot` (and the bot inside `start`) mounts `routes`
 * into Bolt's receiver instead of the server here, and adds its readiness checks.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';
import type { ClusterConfig, Config } from '../../config/schema.js';
import type { Logger } from '../../domain/logger.js';
import type { AlertmanagerConnector } from '../../domain/silence.js';
import type { EtcdConnector } from '../../operations/etcd/client.js';
import type { SnapshotStoreFactory } from '../../operations/etcd/store/snapshot-store.js';
import type { KubeConnector } from '../../operations/kube/client.js';
import type { BackupConnector } from '../../operations/backup/client.js';
import type { RuntimeMetrics } from '../http/metrics.js';
import { healthRoutes, type HttpRoute, type ReadinessCheck } from '../http/routes.js';
import { startHttpServer } from '../http/server.js';
import type { RetryOptions, WebClient } from '../slack/web-client.js';
import { clusterQueueName, OUTBOX_QUEUE } from './names.js';
import { Outbox } from './outbox.js';
import { findJobKind } from './catalogue.js';
import { createRunbookEngine, type RunbookEngine } from '../../app/runbooks/engine.js';
import { refreshRootOfRun } from '../../app/incidents/root.js';
import { outcomeOfJobEnd } from '../../app/runbooks/outcome.js';
import { jobSink } from './enqueue.js';
import { jobBoundMs } from './job-bound.js';
import { loadRunbooks } from '../../operations/runbooks/load.js';
import { approvalStore } from '../../state/approvals.js';
import { startOutboxConsumer, type OutboxConsumer } from './outbox-consumer.js';
import { JobQueues } from './queues.js';
import { createReporter } from './reporter.js';
import { applyConfiguredSchedules } from './schedules.js';
import { initSnapshotMetrics } from './snapshot-metrics.js';
import { drillStore } from '../../state/drills.js';
import { startSweeper } from './sweeper.js';
import { startClusterWorker, type ClusterWorker } from './worker.js';

export interface RuntimeDeps {
  /** Shared by every queue and worker (BullMQ duplicates it for blocking reads); owned by the caller. */
  redis: Redis;
  /** When present, this process also delivers the Slack outbox. */
  slack?: WebClient;
  etcdConnector(cluster: ClusterConfig): EtcdConnector;
  kubeConnector: KubeConnector;
  /** Velero's objects on each cluster's API server (backup jobs). */
  backupConnector?: BackupConnector;
  /** Builds the clusters' snapshot stores (a directory, or S3). */
  snapshotStore?: SnapshotStoreFactory;
  /** Reaches Alertmanagers, for silences from incident threads. */
  alertmanager?: AlertmanagerConnector;
  logger: Logger;
  metrics: RuntimeMetrics;
  /** Results for the terminal target. */
  stdout: (text: string) => void;
}

/** RuntimeDeps as main.ts builds them (runtime-deps.ts), with the close of what they opened. */
export interface OwnedRuntimeDeps extends RuntimeDeps {
  /** Closes the Redis connection (after the runtime closed); never waits long on Redis. */
  close(): Promise<void>;
}

export interface RuntimeDepsOptions {
  logger: Logger;
  stdout: (text: string) => void;
  /** Build the Slack client (and so deliver the outbox) when a bot token is configured. */
  slack?: boolean;
  slackRetry?: RetryOptions;
}

export interface RuntimeOptions {
  /** The clusters whose queues this process consumes (none: only the outbox and HTTP). */
  clusters: readonly string[];
  /** Per cluster; `worker.concurrency` from the config by default. */
  concurrency?: number;
  /** Listen for /healthz, /readyz, /metrics; `false` when a Bolt receiver serves `routes`. */
  http?: { port: number; host: string } | false;
  prefix?: string;
  /** Deliver the Slack outbox here (default: when deps.slack is given). */
  outbox?: { intervalMs?: number; concurrency?: number; retryLimitMs?: number } | false;
  /** Apply the config file's schedules at start (default true). */
  schedules?: boolean;
  /** How soon a maintenance job retries when its cluster is busy. Default 5 s (less with a shorter stalledInterval). */
  busyRetryMs?: number;
  /** The sweeps (app/sweep.ts), once per interval across all processes; default on, every 5 s. */
  sweep?: { intervalMs?: number; intentGraceMs?: number } | false;
}

export interface Runtime {
  queues: JobQueues;
  outbox: Outbox;
  /** Runbook runs: workers advance them as steps end; the bot starts them and records decisions. */
  engine: RunbookEngine;
  routes: HttpRoute[];
  /** Add readiness checks (e.g. "the Slack side started"); /readyz runs them all. */
  readiness: ReadinessCheck[];
  httpPort?: number;
  /** Graceful: stop taking jobs, finish or hand back running ones, close every connection it opened. */
  close(): Promise<void>;
  /** Resolves once no cluster job runs in this process (at once when none does). */
  idle(): Promise<void>;
  /** How many cluster jobs run in this process now. */
  running(): number;
}

export async function startRuntime(
  config: Config,
  deps: RuntimeDeps,
  options: RuntimeOptions,
): Promise<Runtime> {
  const prefix = options.prefix ?? config.redis.prefix;
  const { redis, metrics, logger } = deps;
  const queues = new JobQueues({
    connection: redis,
    clusters: config.clusters.map((c) => c.name),
    prefix,
  });
  const outbox = new Outbox(redis, prefix);
  // Runbooks are validated at start: a bad file stops the start, naming the file and key.
  const runbooks = loadRunbooks(findJobKind, config.runbooks.dir);
  const engine = createRunbookEngine({
    redis,
    prefix,
    outbox,
    jobs: jobSink(queues),
    approvals: approvalStore({ redis, prefix }),
    runbooks,
    config,
    logger,
    jobBoundMs: (kind, cluster) => jobBoundMs(config, kind, cluster),
    // An incident's root shows where its run stands.
    onRunChanged: (run) => refreshRootOfRun({ redis, prefix, outbox, runbooks, logger }, run),
  });
  const readiness: ReadinessCheck[] = [
    { name: 'redis', check: () => redis.ping().then(() => undefined) },
  ];
  const routes = healthRoutes({ registry: metrics.registry, readiness: () => readiness });
  // Listen first: liveness answers while Redis is still being reached.
  const server = options.http ? await startHttpServer(routes, options.http) : undefined;
  const parts: { close(): Promise<void> }[] = [];
  const workers: ClusterWorker[] = [];
  const close = async () => {
    for (const part of parts.reverse()) await part.close();
    await Promise.all([queues.close(), outbox.close()]);
    await server?.close();
  };
  try {
    watchDepth(metrics, queues, outbox, options.clusters);
    await initSnapshotMetrics(
      metrics,
      config,
      options.clusters,
      logger,
      drillStore(redis, prefix),
      deps.snapshotStore,
    );
    if (options.schedules ?? true) {
      await applyConfiguredSchedules(queues, config, options.clusters, logger);
    }
    if (options.sweep !== false) {
      const sweep = { ...options.sweep, connection: redis, prefix, queues, outbox, logger };
      parts.push(await startSweeper({ ...sweep, runbooks: engine }));
    }
    const consumer = startConsumer(config, deps, options, prefix);
    if (consumer) parts.push(consumer);
    // Workers close first (closing runs in reverse): their last results reach the outbox.
    workers.push(...startWorkers(config, deps, options, outbox, prefix, engine));
    parts.push(allOf(workers));
    logger.info(
      { clusters: options.clusters, outbox: Boolean(consumer), port: server?.port },
      'runtime started',
    );
  } catch (err) {
    await close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    queues,
    outbox,
    engine,
    routes,
    readiness,
    httpPort: server?.port,
    close: () => (closing ??= close().then(() => logger.info({}, 'runtime stopped'))),
    idle: async () => void (await Promise.all(workers.map((w) => w.idle()))),
    running: () => workers.reduce((n, w) => n + w.running(), 0),
  };
}

function startWorkers(
  config: Config,
  deps: RuntimeDeps,
  options: RuntimeOptions,
  outbox: Outbox,
  prefix: string,
  engine: RunbookEngine,
): ClusterWorker[] {
  const reporter = createReporter({ outbox, logger: deps.logger, stdout: deps.stdout });
  const workerName = `${os.hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  return options.clusters.map((cluster) =>
    startClusterWorker({
      cluster,
      connection: deps.redis,
      prefix,
      config,
      etcdConnector: (cluster) => deps.etcdConnector(cluster),
      kubeConnector: deps.kubeConnector,
      backupConnector: deps.backupConnector,
      snapshotStore: deps.snapshotStore,
      reporter,
      afterJob: async (envelope, end) => {
        if (envelope.runbook) await engine.jobEnded(envelope.runbook, outcomeOfJobEnd(end), end);
      },
      metrics: deps.metrics,
      logger: deps.logger,
      redis: deps.redis,
      workerName,
      concurrency: options.concurrency ?? config.worker.concurrency,
      stalledIntervalMs: config.worker.stalledInterval,
      shutdownTimeoutMs: config.worker.shutdownTimeout,
      leaseTtlMs: Math.max(config.worker.stalledInterval, 1_000),
      busyRetryMs: options.busyRetryMs ?? Math.min(5_000, config.worker.stalledInterval),
    }),
  );
}

const allOf = (items: { close(): Promise<void> }[]) => ({
  close: async () => void (await Promise.all(items.map((i) => i.close()))),
});

function startConsumer(
  config: Config,
  deps: RuntimeDeps,
  options: RuntimeOptions,
  prefix: string,
): OutboxConsumer | undefined {
  if (options.outbox === false || !deps.slack) return undefined;
  return startOutboxConsumer({
    connection: deps.redis,
    prefix,
    slack: deps.slack,
    intervalMs: options.outbox?.intervalMs ?? 1_000,
    concurrency: options.outbox?.concurrency ?? 8,
    retryLimitMs: options.outbox?.retryLimitMs ?? config.slack.deliveryRetryLimit,
    metrics: deps.metrics,
    logger: deps.logger,
  });
}

/** quorum_queue_depth for the served clusters' queues and the outbox, read at scrape time. */
function watchDepth(
  metrics: RuntimeMetrics,
  queues: JobQueues,
  outbox: Outbox,
  clusters: readonly string[],
): void {
  const states = ['waiting', 'active', 'delayed', 'failed'] as const;
  for (const cluster of clusters) {
    const queue = queues.queue(cluster);
    metrics.addQueueDepthSource(async () => ({
      queue: clusterQueueName(cluster),
      counts: await queue.getJobCounts(...states),
    }));
  }
  metrics.addQueueDepthSource(async () => ({
    queue: OUTBOX_QUEUE,
    counts: await outbox.queue.getJobCounts(...states),
  }));
}
