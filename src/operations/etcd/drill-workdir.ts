/**
 * The drill work directory: one `drill-<pid>-XXXXXX` directory (0700) per drill, named
 * for the process that owns it, holding the fetched snapshot, the restored data dir and
 * `etcd.pid`, the scratch etcd's pid. A killed drill leaves its directory (and, where no
 * parent-death signal could be set, its etcd); every drill first removes what drills of
 * dead processes left: it kills the etcd recorded there — only when that pid's command
 * line still names the directory, so a reused pid is never killed — and removes the dir.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDir } from './ensure-dir.js';
import { processAlive } from './process-alive.js';

export const PID_FILE = 'etcd.pid';
const DIR = /^drill-(\d+)-[A-Za-z0-9]{6}$/;

export interface Leftovers {
  dirs: string[];
  killed: number[];
}

/** The NUL-separated command line of `pid` (Linux /proc), '' when gone or unreadable. */
async function cmdline(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
}

/** True when `pid` is an etcd serving from `dir`: what a drill started, not a reused pid. */
export async function isScratchEtcd(pid: number, dir: string): Promise<boolean> {
  const args = (await cmdline(pid)).split('\0');
  return args.some((a) => a.includes(dir)) && args.some((a) => /(^|\/)etcd$/.test(a));
}

/** Kills the scratch etcd recorded in `dir` if it still runs; its pid when it did. */
export async function killRecordedEtcd(dir: string): Promise<number | undefined> {
  const pid = Number((await readFile(path.join(dir, PID_FILE), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !(await isScratchEtcd(pid, dir))) return undefined;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return undefined;
  }
  for (let i = 0; i < 100 && (await isScratchEtcd(pid, dir)); i++) await sleep(50);
  return pid;
}

/** Removes the drill directories (and their etcds) of processes that are gone. */
export async function cleanupLeftovers(root: string): Promise<Leftovers> {
  const names = await readdir(root).catch(() => [] as string[]);
  const out: Leftovers = { dirs: [], killed: [] };
  for (const name of names) {
    const owner = Number(DIR.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(owner) || owner === process.pid || processAlive(owner)) continue;
    const dir = path.join(root, name);
    const killed = await killRecordedEtcd(dir);
    if (killed !== undefined) out.killed.push(killed);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    out.dirs.push(dir);
  }
  return out;
}

/** A fresh 0700 directory for one drill, owned by this process. */
export async function makeDrillDir(root: string): Promise<string> {
  await ensureDir(root, 0o700);
  return mkdtemp(path.join(path.resolve(root), `drill-${process.pid}-`));
}
