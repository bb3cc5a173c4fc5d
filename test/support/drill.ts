/**
 * What restore-drill tests share: a directory holding exactly the etcd binaries of the
 * version under test (for QUORUM_ETCD_BIN_DIR), and the etcd processes serving from a
 * directory (a drill's scratch etcd), read from Linux /proc.
 */
import { symlinkSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { etcdBin, etcdTestVersion } from './etcd-bin.js';
import { tmpDir } from './processes.js';

export async function etcdBinariesUnderTest(name = 'drill-bin'): Promise<string> {
  const dir = await tmpDir(name);
  const tools =
    etcdTestVersion() === '3.5'
      ? (['etcd', 'etcdctl', 'etcdutl'] as const)
      : (['etcd', 'etcdctl'] as const);
  for (const tool of tools) {
    const which = etcdBin(tool);
    symlinkSync(which.includes('/') ? which : `/usr/bin/${which}`, path.join(dir, tool));
  }
  return dir;
}

/** Pids of etcd processes whose command line names `dir`. */
export async function etcdsNaming(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args.some((a) => a.includes(dir)) && args.some((a) => /(^|\/)etcd$/.test(a)))
      found.push(Number(pid));
  }
  return found;
}
