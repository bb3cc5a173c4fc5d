/**
 * `npm run bench:snapshot`: Quorum's `etcd snapshot` against `etcdctl snapshot save`
 * in the same run, alternating, on a real etcd filled to two sizes. Prints the median
 * time ratio and each side's peak RSS per size.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { envWithout } from '../test/support/etcdctl.js';
import { fillEtcd } from '../test/support/fill.js';
import { startEtcd } from '../test/support/etcd.js';
import { tmpDir } from '../test/support/processes.js';
import { measure, median, type RunStats } from './peak-rss.js';

const MiB = 2 ** 20;
const SIZES_MB = (process.env.BENCH_SIZES_MB ?? '100,520').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const QUORUM = path.resolve(import.meta.dirname, '../src/main.js');

async function main() {
  const etcd = await startEtcd({ quotaBackendBytes: 4 * 1024 * MiB });
  const dir = await tmpDir('quorum-bench-');
  const env = {
    ...envWithout(['ETCDCTL_', 'QUORUM_']),
    ...etcd.env,
    QUORUM_SNAPSHOT_DIR: dir,
    LOG_LEVEL: 'silent',
  };
  const rows: string[] = [];
  let filled = 0;
  try {
    for (const sizeMb of SIZES_MB) {
      await fillEtcd(etcd.endpoints, {
        bytes: (sizeMb - filled) * MiB,
        prefix: `bench-${sizeMb}/`,
      });
      filled = sizeMb;
      const q: RunStats[] = [];
      const e: RunStats[] = [];
      for (let i = 0; i < RUNS; i++) {
        e.push(await measure('etcdctl', ['snapshot', 'save', path.join(dir, 'etcdctl.db')], env));
        q.push(await measure(process.execPath, [QUORUM, 'etcd', 'snapshot', '--dir', dir], env));
        for (const f of readdirSync(dir)) rmSync(path.join(dir, f), { force: true });
      }
      const [qt, et] = [median(q.map((r) => r.ms)), median(e.map((r) => r.ms))];
      rows.push(
        `| ${sizeMb} MB | ${(qt / 1000).toFixed(2)} s | ${(et / 1000).toFixed(2)} s | ${(qt / et).toFixed(2)}× | ${Math.max(...q.map((r) => r.peakRssMb)).toFixed(0)} MB | ${Math.max(...e.map((r) => r.peakRssMb)).toFixed(0)} MB |`,
      );
      console.log(rows.at(-1));
    }
  } finally {
    await etcd.close();
  }
  console.log(
    `\nSnapshot benchmark: ${RUNS} alternating runs per side, medians; peak RSS is the maximum over runs.`,
  );
  console.log(
    '| database | quorum etcd snapshot | etcdctl snapshot save | time ratio | quorum peak RSS | etcdctl peak RSS |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

await main();
