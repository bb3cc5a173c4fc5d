/** Runs a command and measures its wall time and peak RSS (VmHWM from /proc, polled). */
import { readFileSync } from 'node:fs';
import { spawnChild } from '../test/support/processes.js';

export interface RunStats {
  ms: number;
  peakRssMb: number;
  code: number;
  stdout: string;
}

function vmHwmKb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function measure(
  command: string,
  args: string[],
  env: Record<string, string>,
  /** Exit codes that are results, not failures (a drill's 1 and 2). */
  okCodes: readonly number[] = [0],
): Promise<RunStats> {
  const started = process.hrtime.bigint();
  const child = spawnChild(command, args, { env });
  let peak = 0;
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  let stdout = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  const timer = setInterval(() => {
    const kb = child.pid ? vmHwmKb(child.pid) : undefined;
    if (kb !== undefined) peak = Math.max(peak, kb);
  }, 5);
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  clearInterval(timer);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!okCodes.includes(code))
    throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`);
  return { ms, peakRssMb: peak / 1024, code, stdout };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
