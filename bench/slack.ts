/**
 * `npm run bench:slack`: 500 signed slash commands, 50 at a time, against the real
 * Bolt HTTP receiver (bot only, real Redis, the local Slack API test server). Prints
 * the ack latency p50/p99 as Slack would measure it (request sent → response read).
 */
import http from 'node:http';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/domain/logger.js';
import { buildRuntimeDeps } from '../src/runtime-deps.js';
import { startRuntime } from '../src/transport/queue/runtime.js';
import { startBot } from '../src/transport/slack/bot.js';
import { envWithout } from '../test/support/etcdctl.js';
import { freePort } from '../test/support/ports.js';
import { startRedis } from '../test/support/redis.js';
import { startSlackApi } from '../test/support/slack-api.js';
import { signSlack, slashCommandBody } from '../test/support/slack-request.js';
import { median } from './peak-rss.js';

const TOTAL = Number(process.env.BENCH_COMMANDS ?? 500);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 50);
const SECRET = 'bench-secret';

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
};

/** One POST on its own connection, as Slack sends them; resolves with the status once the body is read. */
function post(port: number, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/slack/events', method: 'POST', headers, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const [redis, slack, port] = await Promise.all([startRedis(), startSlackApi(), freePort()]);
  const config = loadConfig({
    ...envWithout(['ETCDCTL_', 'QUORUM_', 'SLACK_']),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    QUORUM_CLUSTER: 'prod',
  });
  const deps = buildRuntimeDeps(config, { logger: silentLogger, stdout: () => undefined });
  const runtime = await startRuntime(config, deps, { clusters: [], http: false, outbox: false });
  const bot = await startBot(config, deps, runtime);
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const client = async () => {
    for (let i = next++; i < TOTAL; i = next++) {
      const body = slashCommandBody({
        command: '/etcd-check',
        trigger_id: `bench.${i}.${Date.now()}`,
        response_url: `${slack.url}response`,
      });
      const started = performance.now();
      const status = await post(port, body, signSlack(body, { secret: SECRET }));
      latencies.push(performance.now() - started);
      if (status !== 200) failures++;
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: PARALLEL }, client));
  } finally {
    await bot.close();
    await runtime.close();
    await deps.close();
    await Promise.all([slack.close(), redis.close()]);
  }
  if (process.env.BENCH_DEBUG) console.log(latencies.map((x) => x.toFixed(0)).join(' '));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `Slack ack benchmark: ${TOTAL} signed /etcd-check commands, ${PARALLEL} at a time, ${failures} not 200`,
  );
  console.log('| commands | in flight | ack p50 | ack p99 | max | commands/s |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(
    `| ${TOTAL} | ${PARALLEL} | ${median(latencies).toFixed(1)} ms | ${percentile(latencies, 99).toFixed(1)} ms | ${Math.max(...latencies).toFixed(1)} ms | ${(TOTAL / seconds).toFixed(0)} |`,
  );
}

await main();
