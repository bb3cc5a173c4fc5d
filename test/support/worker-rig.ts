/**
 * A cluster worker built by hand for fault tests: the real processor, BullMQ worker,
 * reporter and etcd connector, with two seams — the OutboxWriter it reports through
 * (wrap it to fail a push) and an etcd connector that counts the calls that change a
 * member (defragment, compact, snapshot, disarm) and can hold the first call of one
 * until the test lets it go, so a fault lands while the operation runs.
 */
import { randomBytes } from 'node:crypto';
import type { ClusterConfig, Config } from '../../src/config/schema.js';
import type { Logger } from '../../src/domain/logger.js';
import type { OutboxWriter } from '../../src/domain/outbox-message.js';
import type { EtcdConnector, EtcdMember } from '../../src/operations/etcd/client.js';
import type { KubeConnector } from '../../src/operations/kube/client.js';
import { createRedis } from '../../src/runtime-deps.js';
import { createMetrics, type RuntimeMetrics } from '../../src/transport/http/metrics.js';
import { createReporter } from '../../src/transport/queue/reporter.js';
import { startClusterWorker, type ClusterWorker } from '../../src/transport/queue/worker.js';

export type ChangingCall = 'defragment' | 'compact' | 'snapshot' | 'disarm';

export interface Gate {
  /** Resolves when the held call has been made (it waits until open()). */
  readonly reached: Promise<void>;
  open(): void;
}

export interface CountingEtcd {
  connector(cluster: ClusterConfig): EtcdConnector;
  /** How many times `call` was made, on any member. */
  count(call: ChangingCall): number;
  /** The next call of `call` waits until the gate opens; later ones pass. */
  hold(call: ChangingCall): Gate;
}

/** Wraps a real connector factory (e.g. a runtime's deps.etcdConnector). */
export function countingEtcd(base: (cluster: ClusterConfig) => EtcdConnector): CountingEtcd {
  const counts = new Map<ChangingCall, number>();
  const holds = new Map<ChangingCall, Promise<void>>();
  const reached = new Map<ChangingCall, () => void>();
  const enter = (call: ChangingCall): Promise<void> | undefined => {
    counts.set(call, (counts.get(call) ?? 0) + 1);
    const held = holds.get(call);
    holds.delete(call);
    reached.get(call)?.();
    reached.delete(call);
    return held;
  };
  const wrap = (m: EtcdMember): EtcdMember =>
    new Proxy(m, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (prop === 'snapshot') {
          return (signal: AbortSignal) => {
            const held = enter('snapshot');
            if (!held) return target.snapshot(signal);
            return (async function* () {
              await held;
              yield* target.snapshot(signal);
            })();
          };
        }
        if (prop === 'defragment' || prop === 'compact' || prop === 'disarm') {
          const call = prop as ChangingCall;
          return async (...args: unknown[]) => {
            await enter(call);
            return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          };
        }
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
  return {
    connector: (cluster) => {
      const connect = base(cluster);
      return (endpoint, metricsUrl) => wrap(connect(endpoint, metricsUrl));
    },
    count: (call) => counts.get(call) ?? 0,
    hold(call) {
      let open!: () => void;
      holds.set(
        call,
        new Promise<void>((resolve) => {
          open = resolve;
        }),
      );
      const was = new Promise<void>((resolve) => reached.set(call, resolve));
      return { reached: was, open };
    },
  };
}

export interface RigWorkerOptions {
  redisUrl: string;
  prefix: string;
  config: Config;
  cluster: string;
  etcd: CountingEtcd;
  kubeConnector: KubeConnector;
  outbox: OutboxWriter;
  logger: Logger;
  /** BullMQ lock duration and stalled-check period; also the maintenance lease TTL. */
  stalledIntervalMs?: number;
  recordTimeoutMs?: number;
}

export interface RigWorker {
  worker: ClusterWorker;
  metrics: RuntimeMetrics;
  /** Its own connection, closed by close(). */
  redis: ReturnType<typeof createRedis>;
  close(): Promise<void>;
}

export function startRigWorker(opts: RigWorkerOptions): RigWorker {
  const redis = createRedis(opts.redisUrl, opts.logger);
  const metrics = createMetrics({ defaultMetrics: false });
  const stalled = opts.stalledIntervalMs ?? 30_000;
  const worker = startClusterWorker({
    cluster: opts.cluster,
    connection: redis,
    redis,
    prefix: opts.prefix,
    config: opts.config,
    etcdConnector: (c) => opts.etcd.connector(c),
    kubeConnector: opts.kubeConnector,
    reporter: createReporter({ outbox: opts.outbox, logger: opts.logger, stdout: () => undefined }),
    metrics,
    logger: opts.logger,
    workerName: `rig-${randomBytes(3).toString('hex')}`,
    concurrency: 1,
    stalledIntervalMs: stalled,
    shutdownTimeoutMs: 1_000,
    leaseTtlMs: Math.max(stalled, 1_000),
    busyRetryMs: 200,
    ...(opts.recordTimeoutMs ? { recordTimeoutMs: opts.recordTimeoutMs } : {}),
  });
  return {
    worker,
    metrics,
    redis,
    close: async () => {
      await worker.close();
      redis.disconnect();
    },
  };
}
