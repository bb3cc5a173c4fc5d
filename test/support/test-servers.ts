/**
 * The servers most queue and worker tests start together, on free ports: a real
 * redis-server with a plain connection to it for the test's own reads and writes, and,
 * when asked, a real etcd (one member or a cluster) and the local Slack Web API double.
 * `env` points a config at them (testConfig's second argument). Asking for a server
 * that was not started throws, so a test cannot quietly use one it did not ask for.
 */
import { Redis } from 'ioredis';
import { startEtcdCluster, type EtcdCluster } from './etcd.js';
import { startRedis, type RedisServer } from './redis.js';
import { startSlackApi, type SlackApi } from './slack-api.js';

export interface TestServerOptions {
  /** etcd members to start (none when 0 or absent). */
  etcdMembers?: number;
  /** Start the Slack API double (and put its URL and a bot token in `env`). */
  slack?: boolean;
}

export interface TestServers {
  readonly redis: RedisServer;
  /** A connection to `redis` (maxRetriesPerRequest: null), made on first use, closed by close(). */
  readonly client: Redis;
  readonly etcd: EtcdCluster;
  readonly slack: SlackApi;
  /** REDIS_URL and, with the Slack double, SLACK_API_URL and SLACK_BOT_TOKEN. */
  readonly env: Record<string, string>;
  /** Disconnects the client and stops every server. */
  close(): Promise<void>;
}

const missing = (what: string): never => {
  throw new Error(`this test started no ${what} (see startTestServers' options)`);
};

export async function startTestServers(opts: TestServerOptions = {}): Promise<TestServers> {
  const members = opts.etcdMembers ?? 0;
  const [redis, etcd, slack] = await Promise.all([
    startRedis(),
    members > 0 ? startEtcdCluster(members) : undefined,
    opts.slack ? startSlackApi() : undefined,
  ]);
  let client: Redis | undefined;
  const env: Record<string, string> = { REDIS_URL: redis.url };
  if (slack) Object.assign(env, { SLACK_API_URL: slack.url, SLACK_BOT_TOKEN: 'xoxb-test' });
  return {
    redis,
    get client() {
      client ??= new Redis(redis.url, { maxRetriesPerRequest: null });
      return client;
    },
    env,
    get etcd() {
      return etcd ?? missing('etcd');
    },
    get slack() {
      return slack ?? missing('Slack API double');
    },
    close: async () => {
      client?.disconnect();
      await Promise.all([redis.close(), etcd?.close(), slack?.close()]);
    },
  };
}
