/**
 * A long-running server child: tracked (killed at exit, see processes.ts), its
 * stdout+stderr kept in a ring buffer so failures can show its last log lines.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import path from 'node:path';
import { spawnChild, type ChildOptions } from './processes.js';
import { RingBuffer } from './ring-buffer.js';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves once the process has exited and its output is drained. */
  readonly exited: Promise<ProcessExit>;
  private readonly output = new RingBuffer(8 * 1024);
  private spawnFailed = false;

  constructor(command: string, args: readonly string[], opts: ChildOptions & { name?: string }) {
    this.name = opts.name ?? path.basename(command);
    this.child = spawnChild(command, args, opts);
    this.child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => resolve({ code, signal }));
      this.child.on('error', (error) => {
        this.output.push(`\n[harness] ${error.message}\n`);
        if (this.child.pid !== undefined) return;
        this.spawnFailed = true;
        resolve({ code: null, signal: null });
      });
    });
    // A forgotten server must not keep the process alive; the exit hook kills it.
    this.child.unref();
    (this.child.stdout as Socket | null)?.unref();
    (this.child.stderr as Socket | null)?.unref();
  }

  get running(): boolean {
    return !this.spawnFailed && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last ~8 KB the server wrote to stdout and stderr. */
  logs(): string {
    return this.output.toString();
  }

  /** "etcd m0 (pid 123) exited with code 1; last output: ..." */
  describe(): string {
    const { exitCode, signalCode, pid } = this.child;
    const state = this.running
      ? 'is running'
      : `exited with ${signalCode ? `signal ${signalCode}` : `code ${String(exitCode)}`}`;
    return `${this.name} (pid ${String(pid)}) ${state}; last output:\n${this.logs()}`;
  }

  /** SIGTERM, wait for exit; SIGKILL if still alive after `timeoutMs`. */
  async stop(timeoutMs = 5_000): Promise<ProcessExit> {
    if (this.running) this.child.kill('SIGTERM');
    const escalate = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(escalate);
    }
  }

  /** SIGKILL, wait for exit. */
  async kill(): Promise<ProcessExit> {
    if (this.running) this.child.kill('SIGKILL');
    // The child is unref'd: keep the event loop alive until its exit is observed.
    const keepAlive = setInterval(() => undefined, 1_000);
    try {
      return await this.exited;
    } finally {
      clearInterval(keepAlive);
    }
  }
}
