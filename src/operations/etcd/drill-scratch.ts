/**
 * The scratch etcd of a drill: a single member on loopback ports, named and tokened afresh,
 * its initial cluster naming only itself, so it can neither join nor reach a real member.
 * It dies with the process that started it: started through `setpriv --pdeathsig KILL`
 * where setpriv exists (the kernel kills it when this process dies, even by SIGKILL), killed
 * on this process's `exit`, and its pid recorded for the next drill's cleanup otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../../domain/errors.js';
import type { EtcdConnector, EtcdMember } from './client.js';
import { findExecutable, lastLines, toolEnv, type Env } from './drill-process.js';
import { PID_FILE } from './drill-workdir.js';

/** A port free on 127.0.0.1 now (etcd binds it a moment later: a clash is retried). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface ScratchSpec {
  name: string;
  token: string;
  peerUrl: string;
  clientUrl: string;
}

/** Fresh names and free loopback ports for one scratch member. */
export async function scratchSpec(): Promise<ScratchSpec> {
  const id = randomBytes(6).toString('hex');
  const [client, peer] = [await freeLoopbackPort(), await freeLoopbackPort()];
  return {
    name: `quorum-drill-${id}`,
    token: `quorum-drill-${id}-${randomBytes(8).toString('hex')}`,
    peerUrl: `http://127.0.0.1:${peer}`,
    clientUrl: `http://127.0.0.1:${client}`,
  };
}

export class ScratchStartError extends Error {
  constructor(
    message: string,
    /** A port was taken between choosing and binding it: new ports may work. */
    readonly portClash: boolean,
  ) {
    super(message);
  }
}

export interface ScratchEtcd {
  member: EtcdMember;
  pid: number;
  /** Stops etcd (TERM, then KILL after 10 s) and waits for its end. Idempotent. */
  stop(): Promise<void>;
}

export interface StartScratch {
  etcd: string;
  dir: string;
  dataDir: string;
  spec: ScratchSpec;
  quotaBytes: number;
  env: Env;
  connect: EtcdConnector;
  deadline: number;
}

function etcdArgs(s: StartScratch): string[] {
  const { spec } = s;
  return [
    `--name=${spec.name}`,
    `--data-dir=${s.dataDir}`,
    `--listen-client-urls=${spec.clientUrl}`,
    `--advertise-client-urls=${spec.clientUrl}`,
    `--listen-peer-urls=${spec.peerUrl}`,
    `--initial-advertise-peer-urls=${spec.peerUrl}`,
    `--initial-cluster=${spec.name}=${spec.peerUrl}`,
    `--initial-cluster-token=${spec.token}`,
    '--initial-cluster-state=new',
    `--quota-backend-bytes=${s.quotaBytes}`,
    '--logger=zap',
    '--log-level=warn',
  ];
}

/**
 * Its log goes to a file in the drill directory, not a pipe: an etcd that outlives us
 * must not die of SIGPIPE at some later log line, but be found and stopped by the next
 * drill (the only guard that holds where setpriv is missing).
 */
async function launch(s: StartScratch, log: string): Promise<ChildProcess> {
  const setpriv = await findExecutable('setpriv', undefined, s.env.PATH);
  const [file, args] = setpriv
    ? [setpriv, ['--pdeathsig', 'KILL', '--', s.etcd, ...etcdArgs(s)]]
    : [s.etcd, etcdArgs(s)];
  const out = await open(log, 'a', 0o600);
  try {
    const child = spawn(file, args, {
      env: toolEnv(s.env),
      cwd: s.dir,
      stdio: ['ignore', out.fd, out.fd],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return child;
  } finally {
    await out.close();
  }
}

/** The end of etcd's log, for a finding's detail. */
async function logTail(log: string): Promise<string> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.slice(-8_192);
}

/** Starts etcd on the restored data dir and waits for a linearizable read. */
export async function startScratchEtcd(s: StartScratch): Promise<ScratchEtcd> {
  const log = path.join(s.dir, 'etcd.log');
  const child = await launch(s, log);
  const pid = child.pid as number;
  const killNow = () => void child.kill('SIGKILL');
  process.on('exit', killNow);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const member = s.connect(s.spec.clientUrl);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      member.close();
      if (!gone) child.kill('SIGTERM');
      const timer = setTimeout(killNow, 10_000);
      await exited;
      clearTimeout(timer);
      process.off('exit', killNow);
    })());
  try {
    await writeFile(path.join(s.dir, PID_FILE), `${pid}\n`, { mode: 0o600 });
    await waitHealthy(member, s.deadline, () => (gone ? logTail(log) : undefined));
    return { member, pid, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitHealthy(
  member: EtcdMember,
  deadline: number,
  exitedWith: () => Promise<string> | undefined,
): Promise<void> {
  let last = 'no answer yet';
  for (;;) {
    const died = await exitedWith();
    if (died !== undefined) {
      const clash = /address already in use/i.test(died);
      throw new ScratchStartError(`etcd exited: ${lastLines(died) || 'no output'}`, clash);
    }
    if (Date.now() >= deadline) {
      throw new ScratchStartError(`etcd served no linearizable read in time (${last})`, false);
    }
    try {
      await member.healthRead(Math.min(deadline, Date.now() + 2_000));
      return;
    } catch (err) {
      last = describeError(err);
    }
    await sleep(100);
  }
}
