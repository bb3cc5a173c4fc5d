/**
 * Running etcdctl 3.4 with settings passed as ETCDCTL_* environment variables.
 *
 * etcdctl 3.4 exits with "conflicting environment variable is shadowed by
 * corresponding command-line flag" when a flag is also set by an ETCDCTL_* variable,
 * even an empty one. So the child environment starts from process.env with every
 * ETCDCTL_* removed, then gets the given variables; a variable is dropped again when
 * its value is '' (a way to unset one) or when `args` carries the matching flag
 * (`--endpoints=...` drops ETCDCTL_ENDPOINTS).
 */
import { etcdBin } from './etcd-bin.js';
import { runCommand, type CommandResult } from './processes.js';

export interface EtcdctlOptions {
  /** ETCDCTL_* variables layered over the cluster's; '' removes one. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** process.env without variables whose names start with one of `prefixes`. */
export function envWithout(prefixes: string[], keep: string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (prefixes.some((p) => key.startsWith(p)) && !keep.includes(key)) continue;
    env[key] = value;
  }
  return env;
}

/** The environment etcdctl runs with: see the module comment. */
export function etcdctlEnv(
  args: readonly string[],
  vars: Record<string, string>,
): Record<string, string> {
  const env = { ...envWithout(['ETCDCTL_']), ...vars };
  for (const arg of args) {
    const flag = /^--([a-z][a-z0-9-]*)/.exec(arg)?.[1];
    if (flag) delete env[`ETCDCTL_${flag.toUpperCase().replaceAll('-', '_')}`];
  }
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('ETCDCTL_') && value === '') delete env[key];
  }
  return env;
}

/** Run `etcdctl args` with the given ETCDCTL_* variables. Non-zero exit is a result. */
export function runEtcdctl(
  args: readonly string[],
  vars: Record<string, string>,
  opts: { timeoutMs?: number } = {},
): Promise<CommandResult> {
  return runCommand(etcdBin('etcdctl'), args, {
    env: etcdctlEnv(args, vars),
    timeoutMs: opts.timeoutMs ?? 30_000,
  });
}
