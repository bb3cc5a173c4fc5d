/**
 * `npm run bench:startup`: the wall time and peak RSS of `quorum help` and of `quorum etcd
 * check` against a single real etcd member, each beside `node -e 0` in the same run,
 * alternating. Prints medians and the ratios to bare Node.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { envWithout } from '../test/support/etcdctl.js';
import { startEtcd } from '../test/support/etcd.js';
import { tmpDir } from '../test/support/processes.js';
import { measure, median, type RunStats } from './peak-rss.js';
import { QUORUM_ARGV } from './quorum-bin.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

const ms = (runs: RunStats[]) => median(runs.map((r) => r.ms));
const rss = (runs: RunStats[]) => median(runs.map((r) => r.peakRssMb));

async function main() {
  const etcd = await startEtcd();
  // The check judges latency only on this machine's slow disk: thresholds relaxed, as in tests.
  const config = path.join(await tmpDir('quorum-bench-startup-'), 'relaxed.yaml');
  writeFileSync(config, 'check:\n  thresholds: { walFsyncP99Warn: 10s, walFsyncP99Crit: 20s }\n');
  const env = {
    ...envWithout(['ETCDCTL_', 'QUORUM_', 'SLACK_', 'REDIS_URL', 'KUBECONFIG', 'AWS_']),
    ...etcd.env,
    QUORUM_CONFIG: config,
    LOG_LEVEL: 'silent',
  };
  const bare: RunStats[] = [];
  const help: RunStats[] = [];
  const check: RunStats[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      bare.push(await measure(process.execPath, ['-e', '0'], env));
      help.push(await measure(process.execPath, [...QUORUM_ARGV, 'help'], env));
      check.push(await measure(process.execPath, [...QUORUM_ARGV, 'etcd', 'check'], env, [0, 1]));
    }
  } finally {
    await etcd.close();
  }
  const base = ms(bare);
  const row = (what: string, runs: RunStats[]) =>
    `| ${what} | ${ms(runs).toFixed(0)} ms | ${(ms(runs) / base).toFixed(2)}× | ${rss(runs).toFixed(0)} MB |`;
  console.log(`\nStart-up: ${RUNS} alternating runs, medians; ratio to \`node -e 0\`.`);
  console.log('| command | wall time | ratio | peak RSS |');
  console.log('| --- | --- | --- | --- |');
  console.log(row('`node -e 0`', bare));
  console.log(row('`quorum help`', help));
  console.log(row('`quorum etcd check` (one member)', check));
}

await main();
