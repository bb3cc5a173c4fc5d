/**
 * `npm run bench:slack`: slash-command ack latency of `quorum bot` against a bare Bolt app
 * that only acks (bench/slack-bare.ts), each its own process started the same way, on one
 * throwaway Redis and the local Slack API test server. Alternating runs (bare, Quorum, …),
 * each: a warm-up, then 500 signed /etcd-check commands, 50 in flight, each on its own
 * connection as Slack sends them; the ack latency is request sent → response read. Quorum's
 * runs also wait until every command's job is on the queue (one job per command). Prints
 * p50/p99 of both and the ratio of the p99s, on a quiet machine and with one core kept
 * busy by another process (a loaded machine).
 *
 *   BENCH_COMMANDS=500 BENCH_PARALLEL=50 BENCH_RUNS=5 BENCH_LOADS=0,1 npm run bench:slack
 *   BENCH_CPU_PROF=/tmp/prof …  writes a --cpu-prof profile of every bot/bare process there
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { envWithout } from '../test/support/etcdctl.js';
import { freePort } from '../test/support/ports.js';
import { startRedis } from '../test/support/redis.js';
import { startSlackApi } from '../test/support/slack-api.js';
import { signSlack, slashCommandBody } from '../test/support/slack-request.js';
import { median } from './peak-rss.js';
import { QUORUM_ARGV } from './quorum-bin.js';

const TOTAL = Number(process.env.BENCH_COMMANDS ?? 500);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 100);
const LOADS = (process.env.BENCH_LOADS ?? '0,1').split(',').map(Number);
const CPU_PROF = process.env.BENCH_CPU_PROF;
const SECRET = 'bench-secret';
const DIST = new URL('..', import.meta.url).pathname;

type Side = 'bare' | 'quorum';
interface Run {
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
  failures: number;
  /** From the last ack until every command's job was on the queue (Quorum). */
  worked: number;
}

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

/** The process under test, started as `node <script> …`; resolves once it said it listens. */
async function startTarget(side: Side, env: Record<string, string>): Promise<ChildProcess> {
  const script = side === 'quorum' ? [...QUORUM_ARGV, 'bot'] : [`${DIST}bench/slack-bare.js`];
  const flags = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...flags, ...script], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let said = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      said += d.toString();
      if (/ready|Slack bot \(HTTP/.test(said)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${side} exited (${code}): ${said}`)));
  });
  return child;
}

async function stopTarget(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** `total` commands, `PARALLEL` in flight; the ack latency of each. */
async function load(port: number, responseUrl: string, total: number, tag: string) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const client = async () => {
    for (let i = next++; i < total; i = next++) {
      const body = slashCommandBody({
        command: '/etcd-check',
        trigger_id: `${tag}.${i}.${Date.now()}`,
        response_url: responseUrl,
      });
      const started = performance.now();
      const status = await post(port, body, signSlack(body, { secret: SECRET }));
      latencies.push(performance.now() - started);
      if (status !== 200) failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: PARALLEL }, client));
  return { latencies, failures, seconds: (performance.now() - started) / 1000 };
}

async function untilEnqueued(queue: Queue, n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { waiting = 0 } = await queue.getJobCounts('waiting');
    if (waiting >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${waiting} of ${n} jobs were enqueued`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Processes that each keep one core busy while they live. */
function burn(n: number): ChildProcess[] {
  return Array.from({ length: n }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
}

async function main() {
  const [redisServer, slack] = await Promise.all([startRedis(), startSlackApi()]);
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  const jobs = new Queue('jobs-prod', { connection: redis, prefix: 'quorum' });
  const responseUrl = `${slack.url}response`;
  const results: Record<string, Run[]> = {};
  const once = async (side: Side, loaded: number, run: number): Promise<Run> => {
    await redis.flushall();
    const port = await freePort();
    const env = {
      ...envWithout(['ETCDCTL_', 'QUORUM_', 'SLACK_']),
      REDIS_URL: redisServer.url,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      QUORUM_CLUSTER: 'prod',
    };
    const target = await startTarget(side, env);
    try {
      await load(port, responseUrl, WARMUP, `warm.${side}.${loaded}.${run}`);
      // The warm-up's own work is over before the measured commands start.
      if (side === 'quorum') await untilEnqueued(jobs, WARMUP);
      const r = await load(port, responseUrl, TOTAL, `bench.${side}.${loaded}.${run}`);
      const acked = performance.now();
      if (side === 'quorum') await untilEnqueued(jobs, WARMUP + TOTAL);
      const worked = performance.now() - acked;
      if (process.env.BENCH_DEBUG) console.log(r.latencies.map((x) => x.toFixed(0)).join(' '));
      return {
        p50: median(r.latencies),
        p99: percentile(r.latencies, 99),
        max: Math.max(...r.latencies),
        perSecond: TOTAL / r.seconds,
        failures: r.failures,
        worked,
      };
    } finally {
      await stopTarget(target);
    }
  };
  try {
    for (const loaded of LOADS) {
      const burners = burn(loaded);
      try {
        for (let run = 0; run < RUNS; run++) {
          for (const side of ['bare', 'quorum'] as const) {
            const r = await once(side, loaded, run);
            (results[`${side}.${loaded}`] ??= []).push(r);
            console.log(
              `${loaded ? `loaded (${loaded} busy)` : 'quiet'} run ${run + 1} ${side}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, ${r.perSecond.toFixed(0)}/s${side === 'quorum' ? `, every job enqueued ${r.worked.toFixed(0)} ms after the last ack` : ''}${r.failures ? `, ${r.failures} not 200` : ''}`,
            );
          }
        }
      } finally {
        for (const b of burners) b.kill('SIGKILL');
      }
    }
  } finally {
    await jobs.close();
    redis.disconnect();
    await Promise.all([slack.close(), redisServer.close()]);
  }
  console.log(
    `\nSlack ack benchmark: ${TOTAL} signed /etcd-check commands, ${PARALLEL} in flight, ${RUNS} alternating runs each (medians of the runs)`,
  );
  console.log(
    '| machine | bare Bolt p50 | bare Bolt p99 | Quorum p50 | Quorum p99 | p99 ratio (runs) | Quorum: last job enqueued after the last ack |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const loaded of LOADS) {
    const b = results[`bare.${loaded}`] ?? [];
    const q = results[`quorum.${loaded}`] ?? [];
    const m = (rs: Run[], k: 'p50' | 'p99') => median(rs.map((r) => r[k]));
    const ratios = q.map((r, i) => r.p99 / (b[i]?.p99 ?? NaN));
    console.log(
      `| ${loaded ? `loaded (${loaded} core busy)` : 'quiet'} | ${m(b, 'p50').toFixed(1)} ms | ${m(b, 'p99').toFixed(1)} ms | ${m(q, 'p50').toFixed(1)} ms | ${m(q, 'p99').toFixed(1)} ms | ${(m(q, 'p99') / m(b, 'p99')).toFixed(2)}× (${ratios.map((x) => x.toFixed(2)).join(', ')}) | ${median(q.map((r) => r.worked)).toFixed(0)} ms |`,
    );
  }
}

await main();
