/**
 * `mkdir -p` that always ends. Node's `mkdir(dir, { recursive: true })` spins forever
 * (100 % CPU) where the kernel answers ENOENT for a directory whose parent exists,
 * as under /proc (seen on Node 20 and 24): so create one component at a time, and
 * let the first real error through with its code (ENOENT, EACCES, ENOTDIR, EROFS …).
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  const target = path.resolve(dir);
  const missing: string[] = [];
  for (let at = target; ; at = path.dirname(at)) {
    if (await isDir(at)) break;
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const one of missing) {
    try {
      await mkdir(one, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !(await isDir(one))) throw err;
    }
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
