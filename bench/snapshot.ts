/**
 * `npm run bench:snapshot`: Quorum's `etcd snapshot` into a directory and into the
 * S3-compatible test server (s3rver, read back before the metadata is written), each
 * against `etcdctl snapshot save` in the same run, alternating, on a real etcd filled to
 * two sizes; then a restore drill of the newest snapshot with its phases. Prints median
 * times, the ratios and each side's peak RSS per size.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { etcdBinDir } from '../test/support/etcd-bin.js';
import { envWithout } from '../test/support/etcdctl.js';
import { fillEtcd } from '../test/support/fill.js';
import { startEtcd } from '../test/support/etcd.js';
import { tmpDir } from '../test/support/processes.js';
import { startS3 } from '../test/support/s3.js';
import { measure, median, type RunStats } from './peak-rss.js';
import { QUORUM_ARGV } from './quorum-bin.js';

const MiB = 2 ** 20;
const SIZES_MB = (process.env.BENCH_SIZES_MB ?? '100,520').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const peak = (runs: RunStats[]) => `${Math.max(...runs.map((r) => r.peakRssMb)).toFixed(0)} MB`;

interface DrillJson {
  data: { phases: Record<string, number>; totalMs: number };
  exitCode: number;
}

async function main() {
  const etcd = await startEtcd({ quotaBackendBytes: 4 * 1024 * MiB });
  const s3 = await startS3(['bench']);
  const dir = await tmpDir('quorum-bench-');
  const env = {
    ...envWithout(['ETCDCTL_', 'QUORUM_', 'AWS_']),
    ...etcd.env,
    QUORUM_SNAPSHOT_DIR: dir,
    LOG_LEVEL: 'silent',
    ...(etcdBinDir() ? { QUORUM_ETCD_BIN_DIR: etcdBinDir()! } : {}),
  };
  const s3env = { ...env, ...s3.env, QUORUM_SNAPSHOT_STORE: 's3://bench/etcd' };
  const rows: string[] = [];
  const drills: string[] = [];
  let filled = 0;
  try {
    for (const sizeMb of SIZES_MB) {
      await fillEtcd(etcd.endpoints, {
        bytes: (sizeMb - filled) * MiB,
        prefix: `bench-${sizeMb}/`,
      });
      filled = sizeMb;
      const e: RunStats[] = [];
      const q: RunStats[] = [];
      const s: RunStats[] = [];
      for (let i = 0; i < RUNS; i++) {
        e.push(await measure('etcdctl', ['snapshot', 'save', path.join(dir, 'etcdctl.db')], env));
        rmSync(path.join(dir, 'etcdctl.db'), { force: true });
        q.push(await measure(process.execPath, [...QUORUM_ARGV, 'etcd', 'snapshot'], env));
        s.push(await measure(process.execPath, [...QUORUM_ARGV, 'etcd', 'snapshot'], s3env));
        // Keep the newest directory snapshot for the drill; the rest would only fill the disk.
        if (i < RUNS - 1)
          for (const f of readdirSync(dir)) rmSync(path.join(dir, f), { force: true });
      }
      const [et, qt, st] = [
        median(e.map((r) => r.ms)),
        median(q.map((r) => r.ms)),
        median(s.map((r) => r.ms)),
      ];
      rows.push(
        `| ${sizeMb} MB | ${secs(et)} | ${secs(qt)} (${(qt / et).toFixed(2)}×) | ${secs(st)} (${(st / et).toFixed(2)}×) | ${peak(e)} | ${peak(q)} | ${peak(s)} |`,
      );
      console.log(rows.at(-1));
      const drill = await measure(
        process.execPath,
        [...QUORUM_ARGV, 'etcd', 'drill', '--json'],
        env,
        [0, 1, 2],
      );
      const report = JSON.parse(drill.stdout) as DrillJson;
      const p = report.data.phases;
      drills.push(
        `| ${sizeMb} MB | ${secs(p.download ?? 0)} | ${secs(p.restore ?? 0)} | ${secs(p.start ?? 0)} | ${secs(p.scan ?? 0)} | ${secs(report.data.totalMs)} | ${drill.peakRssMb.toFixed(0)} MB | exit ${report.exitCode} |`,
      );
      console.log(drills.at(-1));
      for (const f of readdirSync(dir)) rmSync(path.join(dir, f), { force: true });
    }
  } finally {
    await Promise.all([etcd.close(), s3.close()]);
  }
  console.log(
    `\nSnapshot benchmark: ${RUNS} alternating runs per side, medians (ratio to etcdctl); peak RSS is the maximum over runs.`,
  );
  console.log(
    '| database | etcdctl snapshot save | quorum → directory | quorum → S3 (s3rver, read back) | etcdctl peak RSS | quorum dir peak RSS | quorum S3 peak RSS |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  console.log('\nRestore drill of the newest directory snapshot (one run):');
  console.log('| database | download | restore | start | scan | total | peak RSS | result |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const d of drills) console.log(d);
}

await main();
