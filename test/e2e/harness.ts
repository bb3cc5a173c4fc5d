/**
 * The job runtime in a test: a Config parsed by the real loader, the runtime with its
 * real dependencies (Redis, WebClient against the local Slack API, etcd), and small
 * waits on BullMQ job state. Set QUORUM_TEST_LOG=debug to see the runtime's log.
 */
import { randomBytes } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { silentLogger, type Logger } from '../../src/domain/logger.js';
import type { OutboxWriter } from '../../src/domain/outbox-message.js';
import { createLogger } from '../../src/logging.js';
import { buildRuntimeDeps, type OwnedRuntimeDeps } from '../../src/runtime-deps.js';
import {
  startRuntime,
  type Runtime,
  type RuntimeOptions,
} from '../../src/transport/queue/runtime.js';
import { waitFor } from '../support/index.js';
import {
  countingEtcd,
  startRigWorker,
  type CountingEtcd,
  type RigWorker,
} from '../support/worker-rig.js';

/** A config from a plain object, through the loader (as if it were the YAML file). */
export function testConfig(
  file: Record<string, unknown>,
  env: Record<string, string> = {},
): Config {
  return loadConfig({ QUORUM_CONFIG: 'test.yaml', ...env }, () => JSON.stringify(file));
}

/** A fresh key prefix per test, so tests sharing a Redis never see each other's keys. */
export const uniquePrefix = (what: string) => `qt-${what}-${randomBytes(3).toString('hex')}`;

export function testLogger(): Logger {
  const level = process.env.QUORUM_TEST_LOG;
  return level ? createLogger(level as 'debug') : silentLogger;
}

export interface TestRuntime {
  runtime: Runtime;
  deps: OwnedRuntimeDeps;
  /** What the terminal target printed (one entry per report). */
  stdout: string[];
  close(): Promise<void>;
}

export async function startTestRuntime(
  config: Config,
  options: Partial<RuntimeOptions> & { prefix: string },
): Promise<TestRuntime> {
  const stdout: string[] = [];
  const deps = buildRuntimeDeps(config, {
    logger: testLogger(),
    stdout: (t) => void stdout.push(t),
    slackRetry: { retries: 5, factor: 1, minTimeout: 10, maxTimeout: 50 },
  });
  const runtime = await startRuntime(config, deps, {
    clusters: [],
    http: false,
    outbox: { intervalMs: 10, concurrency: 4 },
    ...options,
  });
  let closing: Promise<void> | undefined;
  return {
    runtime,
    deps,
    stdout,
    close: () => {
      closing ??= runtime.close().finally(() => deps.close());
      return closing;
    },
  };
}

/**
 * For fault tests of the worker: a runtime without workers or sweeper (queues, the outbox
 * and its consumer) on a fresh prefix, and hand-built workers of cluster c1 on the same
 * prefix (support/worker-rig.ts), whose etcd calls that change a member are counted.
 */
export interface WorkerRig {
  prefix: string;
  rt: TestRuntime;
  etcd: CountingEtcd;
  /** A worker reporting through `outbox` (the runtime's own by default). */
  startWorker(opts?: { outbox?: OutboxWriter; stalledIntervalMs?: number }): RigWorker;
  /** Closes the workers, last started first, then the runtime. */
  close(): Promise<void>;
}

export async function startWorkerRig(config: Config, what: string): Promise<WorkerRig> {
  const prefix = uniquePrefix(what);
  const rt = await startTestRuntime(config, { prefix, clusters: [], sweep: false });
  const etcd = countingEtcd((c) => rt.deps.etcdConnector(c));
  const workers: RigWorker[] = [];
  return {
    prefix,
    rt,
    etcd,
    startWorker: (opts = {}) => {
      const worker = startRigWorker({
        redisUrl: config.redisUrl,
        prefix,
        config,
        cluster: 'c1',
        etcd,
        kubeConnector: rt.deps.kubeConnector,
        outbox: opts.outbox ?? rt.runtime.outbox,
        logger: testLogger(),
        ...(opts.stalledIntervalMs ? { stalledIntervalMs: opts.stalledIntervalMs } : {}),
      });
      workers.push(worker);
      return worker;
    },
    close: async () => {
      for (const worker of workers.splice(0).reverse()) await worker.close();
      await rt.close();
    },
  };
}

/** Waits until the job is in one of `states`; returns it. */
export async function waitForJob<T extends Job>(
  queue: Queue,
  jobId: string,
  states: string[],
  timeoutMs = 30_000,
): Promise<T> {
  let last = 'missing';
  await waitFor(
    async () => {
      const job = await queue.getJob(jobId);
      last = job ? await job.getState() : 'missing';
      return states.includes(last);
    },
    {
      what: `job ${jobId} to be ${states.join(' or ')}`,
      timeoutMs,
      intervalMs: 50,
      context: () => `last seen: ${last}`,
    },
  );
  return (await queue.getJob(jobId)) as T;
}
