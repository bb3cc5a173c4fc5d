/**
 * The real clients behind the job runtime (`quorum worker`, `quorum start`): Redis,
 * the Slack WebClient, the metrics registry, the etcd connector. Built here (with
 * deps.ts and main.ts, the only places that construct clients) and closed here.
 */
import { alertmanagerConnector } from './clients/alertmanager.js';
import { ClosableRedis } from './clients/closable-redis.js';
import { loadEtcdCredentials } from './clients/etcd-credentials.js';
import { etcd3Connector } from './clients/etcd3-member.js';
import { lazyBackupConnector, lazyKubeConnector } from './clients/kube-lazy.js';
import { snapshotStoreFactory } from './clients/snapshot-store-factory.js';
import { redisConnection, type RedisConnection } from './config/redis-connection.js';
import type { Config } from './config/schema.js';
import type { Logger } from './domain/logger.js';
import { createMetrics } from './transport/http/metrics.js';
import type { OwnedRuntimeDeps, RuntimeDepsOptions } from './transport/queue/runtime.js';
import { createSlackWebClient } from './transport/slack/web-client.js';

export type { OwnedRuntimeDeps, RuntimeDepsOptions };

/**
 * A Redis client for BullMQ: commands wait through reconnects instead of failing;
 * closing never waits long on Redis (closable-redis.ts). A peer that does not answer
 * our FIN is dropped after 300 ms (ioredis waits 2 s), so a frozen Redis costs a
 * closing worker little. `target` is one server's URL, or the connection the config
 * names (config/redis-connection.ts: a URL, or the master through Sentinel).
 */
export function createRedis(target: string | RedisConnection, logger: Logger): ClosableRedis {
  const { url, options } = typeof target === 'string' ? { url: target, options: {} } : target;
  const own = { maxRetriesPerRequest: null, enableReadyCheck: true, disconnectTimeout: 300 };
  const redis = url
    ? new ClosableRedis(url, { ...options, ...own })
    : new ClosableRedis({ ...options, ...own });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message }, 'Redis connection failed; retrying');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({}, 'Redis connection back');
    down = false;
  });
  return redis;
}

export function buildRuntimeDeps(config: Config, opts: RuntimeDepsOptions): OwnedRuntimeDeps {
  const redis = createRedis(redisConnection(config), opts.logger);
  const metrics = createMetrics();
  const slack =
    opts.slack !== false && config.slack.botToken
      ? createSlackWebClient({
          token: config.slack.botToken,
          apiUrl: config.slack.apiUrl,
          logger: opts.logger,
          retryConfig: opts.slackRetry,
          onRateLimited: (method) => metrics.slackRateLimited.inc({ method }),
        })
      : undefined;
  return {
    redis,
    slack,
    metrics,
    logger: opts.logger,
    stdout: opts.stdout,
    etcdConnector: (cluster) => etcd3Connector(loadEtcdCredentials(cluster.etcd)),
    kubeConnector: lazyKubeConnector(async () => (await import('./clients/kube.js')).kubeConnector),
    backupConnector: lazyBackupConnector(
      async () => (await import('./clients/kube-backup.js')).backupConnector,
    ),
    snapshotStore: snapshotStoreFactory(process.env),
    alertmanager: alertmanagerConnector,
    close: async () => {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
