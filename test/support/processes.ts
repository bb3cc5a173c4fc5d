/**
 * Child processes and temporary directories that never outlive the test process.
 *
 * Every child is tracked and SIGKILLed, and every temporary directory removed, when
 * this process exits, and also on SIGTERM/SIGINT/SIGHUP: Vitest stops its fork
 * workers with SIGTERM (then SIGKILL), so an 'exit' handler alone never runs there.
 * On Linux each child is started through `setpriv --pdeathsig KILL`, so the kernel
 * kills it even when this process dies without running any handler.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

/** Kill every tracked child (SIGKILL) and remove every temporary directory, synchronously. */
export function cleanupNow(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  children.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Best effort: a dying child may still be writing into it.
    }
  }
  dirs.clear();
}

let hooked = false;
function installHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupNow);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanupNow();
      // Keep the default "die on signal" behaviour unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.exit(128 + os.constants.signals[signal]);
    });
  }
}

const SETPRIV =
  process.platform === 'linux'
    ? ['/usr/bin/setpriv', '/bin/setpriv'].find((file) => existsSync(file))
    : undefined;

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Give the child a writable stdin pipe (otherwise stdin is /dev/null). */
  stdin?: boolean;
}

/** Spawn a tracked child with piped stdout/stderr. Listen for 'error' yourself. */
export function spawnChild(
  command: string,
  args: readonly string[],
  opts: ChildOptions = {},
): ChildProcess {
  installHooks();
  const [file, argv] = SETPRIV
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]]
    : [command, [...args]];
  const child = spawn(file, argv, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => {
    if (child.pid === undefined) children.delete(child);
  });
  return child;
}

export interface CommandResult {
  /** Exit code; 128 + signal number when the command was killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions extends Omit<ChildOptions, 'stdin'> {
  /** Killed (SIGKILL) and rejected after this long. Default 30 s. */
  timeoutMs?: number;
  input?: string;
}

/** Run a command to completion. A non-zero exit is a result, not an error. */
export function runCommand(
  command: string,
  args: readonly string[],
  opts: CommandOptions = {},
): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const shown = [command, ...args.filter((a) => !/password/i.test(a))].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawnChild(command, args, { ...opts, stdin: opts.input !== undefined });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      if (child.pid !== undefined) return;
      clearTimeout(timer);
      reject(new Error(`could not run ${shown}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code: code ?? 128 + (signal ? os.constants.signals[signal] : 0),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (timedOut) {
        reject(new Error(`timed out after ${timeoutMs} ms: ${shown}\n${result.stderr}`));
      } else resolve(result);
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export interface WaitOptions {
  /** What we are waiting for, for the error message ("etcd m0 to be healthy"). */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Appended to the timeout error, e.g. the server's last log lines. */
  context?: () => string;
}

/**
 * Poll `predicate` until it resolves true. Throws a timeout error naming `what`.
 * An exception from the predicate propagates immediately (use it to fail fast).
 */
export async function waitFor(predicate: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    const left = deadline - Date.now();
    if (left <= 0) {
      const context = opts.context?.().trim();
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${opts.what}` +
          (context ? `\n--- context ---\n${context}` : ''),
      );
    }
    await sleep(Math.min(intervalMs, left));
  }
}

const OWNER_FILE = '.quorum-test-owner';

/**
 * A fresh directory under os.tmpdir(), removed by removeDir() or at process exit.
 * It records the owning pid; directories left by a process that died by SIGKILL
 * are removed by the next process that calls tmpDir().
 */
export async function tmpDir(prefix: string): Promise<string> {
  installHooks();
  sweeping ??= sweepOrphans();
  await sweeping;
  const dir = await mkdtemp(path.join(os.tmpdir(), `quorum-${prefix}-`));
  dirs.add(dir);
  await writeFile(path.join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

let sweeping: Promise<void> | undefined;
async function sweepOrphans(): Promise<void> {
  const names = await readdir(os.tmpdir()).catch(() => []);
  for (const name of names.filter((n) => n.startsWith('quorum-'))) {
    const dir = path.join(os.tmpdir(), name);
    const owner = Number(await readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => ''));
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  dirs.delete(dir);
}
