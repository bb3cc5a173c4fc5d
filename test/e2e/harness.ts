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
import { createLogger } from '../../src/logging.js';
import { buildRuntimeDeps, type OwnedRuntimeDeps } from '../../src/runtime-deps.js';
import {
  startRuntime,
  type Runtime,
  type RuntimeOptions,
} from '../../src/transport/queue/runtime.js';
import { waitFor } from '../support/index.js';

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
