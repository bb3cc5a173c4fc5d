/**
 * Running Quorum's CLI: in-process through runCli with the real wiring (fast), or as
 * the built `quorum` binary in a child process (what an operator runs).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { realCliDeps } from '../../src/deps.js';
import { runCli } from '../../src/transport/cli/run.js';
import { envWithout } from './etcdctl.js';
import { shebangNodeFlags } from './node-flags.js';
import { runCommand, tmpDir, type CommandResult } from './processes.js';

/** The environment without any ETCDCTL_*, QUORUM_*, SLACK_* a developer may have set. */
export function cleanEnv(vars: Record<string, string> = {}): Record<string, string> {
  return {
    ...envWithout(['ETCDCTL_', 'QUORUM_', 'SLACK_', 'REDIS_', 'KUBECONFIG', 'AWS_']),
    ...vars,
  };
}

export async function quorum(
  args: string[],
  vars: Record<string, string> = {},
): Promise<CommandResult & { ms: number }> {
  let stdout = '';
  let stderr = '';
  const env = cleanEnv({ LOG_LEVEL: 'silent', ...vars });
  const started = Date.now();
  const code = await runCli(
    args,
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env },
    realCliDeps(env),
  );
  return { code, stdout, stderr, ms: Date.now() - started };
}

export const QUORUM_BIN = path.resolve(import.meta.dirname, '../../dist/src/main.js');

/** The node flags of src/main.ts's shebang (`#!/usr/bin/env -S node FLAGS`): how it runs. */
export const QUORUM_NODE_FLAGS = shebangNodeFlags(
  path.resolve(import.meta.dirname, '../../src/main.ts'),
);

/** The built binary (npm run build first; `npm test` does). */
export function quorumBin(
  args: string[],
  vars: Record<string, string> = {},
): Promise<CommandResult> {
  return runCommand(process.execPath, [...QUORUM_NODE_FLAGS, QUORUM_BIN, ...args], {
    env: cleanEnv(vars),
    timeoutMs: 60_000,
  });
}

/**
 * This machine's disk is slower than etcd wants (WAL fsync p99 ~30 ms), and tests
 * must not depend on speed: a check that expects "healthy" uses this config, which
 * raises the latency thresholds. The latency rules are tested in test/unit/check-rules.test.ts.
 */
export async function relaxedLatencyConfig(): Promise<string> {
  const file = path.join(await tmpDir('quorum-relaxed-'), 'relaxed.yaml');
  writeFileSync(
    file,
    'check:\n  thresholds: { walFsyncP99Warn: 10s, walFsyncP99Crit: 20s, backendCommitP99Warn: 10s, backendCommitP99Crit: 20s }\n',
  );
  return file;
}
