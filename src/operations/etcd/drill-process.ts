/**
 * Running etcd's own binaries for a drill: found in one directory or on PATH, started
 * with an environment that cannot steer them (etcd reads every `ETCD_*` variable as a
 * flag, etcdctl 3.4 refuses a flag an `ETCDCTL_*` variable also sets), bounded in time.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

export type Env = Record<string, string | undefined>;

/** `env` without ETCD_*, ETCDCTL_* and ETCDUTL_*: only our flags configure the tools. */
export function toolEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && !/^ETCD(CTL|UTL)?_/.test(k)) out[k] = v;
  }
  return out;
}

/** The executable `name` in `dir` (only there), or else the first on `searchPath`. */
export async function findExecutable(
  name: string,
  dir: string | undefined,
  searchPath: string | undefined,
): Promise<string | undefined> {
  const dirs = dir ? [dir] : (searchPath ?? '').split(path.delimiter).filter(Boolean);
  for (const d of dirs) {
    const file = path.resolve(d, name);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file` to its end (killed at `deadline`); a non-zero exit is a result, a spawn failure throws. */
export function runTool(
  file: string,
  args: readonly string[],
  env: Env,
  deadline: number,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        env: toolEnv(env),
        timeout: Math.max(1, deadline - Date.now()),
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 2 ** 20,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: unknown; killed?: boolean }) | null;
        if (e && typeof e.code === 'string') return reject(e);
        if (e?.killed) {
          return resolve({ code: 137, stdout, stderr: `${stderr}\n(stopped at the deadline)` });
        }
        resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** The last non-empty lines of a tool's output, for a finding's detail. */
export function lastLines(text: string, n = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join('\n');
}
