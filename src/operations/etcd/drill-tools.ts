/**
 * The binaries a drill needs, matched to the snapshot's etcd version: `etcd` to serve the
 * restored data, and the restore tool restore-plan.ts would name (`etcdutl` for 3.5 and
 * later, etcd 3.4's `etcdctl`). Looked up in `binDir` only when it is set (a configured
 * directory is not silently replaced by whatever PATH holds), else on PATH; each asked
 * for its version. Missing or older than the snapshot: what exactly to install.
 */
import { describeError } from '../../domain/errors.js';
import { findExecutable, runTool, type Env } from './drill-process.js';
import { chooseRestoreTool } from './restore-plan.js';

export interface DrillTools {
  etcd: string;
  etcdVersion: string;
  /** `etcdutl` or `etcdctl`, by the snapshot's version. */
  restoreCommand: 'etcdutl' | 'etcdctl';
  restore: string;
  restoreVersion: string;
}

export type ToolsOutcome =
  | {
      ok: true;
      tools: DrillTools;
      /** Set when the tools are newer than the snapshot. */ newer?: string;
    }
  | { ok: false; problem: string; remedy: string };

export interface ToolsInput {
  binDir?: string;
  env: Env;
  /** The etcd version the snapshot was taken from (its sidecar), when known. */
  snapshotVersion?: string;
  deadline: number;
}

type Minor = [number, number];
const minorOf = (v: string | undefined): Minor | undefined => {
  const m = /(\d+)\.(\d+)\.\d+/.exec(v ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
};
const below = (a: Minor, b: Minor) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
const minorText = (m: Minor) => `${m[0]}.${m[1]}`;

/** `install etcd 3.5 (…) or set QUORUM_ETCD_BIN_DIR`: the remedy for a missing or old binary. */
export function installHint(need: Minor, restoreCommand: string): string {
  const from =
    minorText(need) === '3.4'
      ? "Debian 12's etcd-server and etcd-client packages"
      : minorText(need) === '3.5'
        ? "Debian 13's etcd-server and etcd-client packages"
        : 'the etcd-server and etcd-client packages of your distribution';
  return (
    `Install etcd ${minorText(need)} (${from}, or the release tarball from https://github.com/etcd-io/etcd/releases) ` +
    `or set QUORUM_ETCD_BIN_DIR (drills.binDir) to a directory holding etcd and ${restoreCommand} ${minorText(need)} or later.`
  );
}

async function versionOf(file: string, args: string[], env: Env, deadline: number) {
  try {
    const r = await runTool(file, args, env, Math.min(deadline, Date.now() + 15_000));
    return /(\d+\.\d+\.\d+)/.exec(`${r.stdout}\n${r.stderr}`)?.[1];
  } catch (err) {
    return `unrunnable: ${describeError(err)}`;
  }
}

export async function findDrillTools(input: ToolsInput): Promise<ToolsOutcome> {
  const choice = chooseRestoreTool([], input.snapshotVersion);
  const restoreCommand = choice.command;
  const need =
    minorOf(input.snapshotVersion) ?? ([3, restoreCommand === 'etcdutl' ? 5 : 4] as Minor);
  const remedy = installHint(need, restoreCommand);
  const where = input.binDir ? `in QUORUM_ETCD_BIN_DIR=${input.binDir}` : 'on PATH';
  const found = await Promise.all(
    (['etcd', restoreCommand] as const).map((n) => findExecutable(n, input.binDir, input.env.PATH)),
  );
  const missing = (['etcd', restoreCommand] as const).filter((_, i) => !found[i]);
  if (missing.length) {
    return { ok: false, problem: `${missing.join(' and ')} not found ${where}`, remedy };
  }
  const [etcd, restore] = found as [string, string];
  const [etcdVersion, restoreVersion] = await Promise.all([
    versionOf(etcd, ['--version'], input.env, input.deadline),
    versionOf(restore, ['version'], input.env, input.deadline),
  ]);
  for (const [file, version] of [
    [etcd, etcdVersion],
    [restore, restoreVersion],
  ] as const) {
    const minor = minorOf(version);
    if (!minor) {
      return {
        ok: false,
        problem: `${file} reports no version (${version ?? 'no output'})`,
        remedy,
      };
    }
    if (below(minor, need)) {
      return {
        ok: false,
        problem: `${file} is etcd ${version}, older than the snapshot's ${input.snapshotVersion}`,
        remedy,
      };
    }
  }
  const tools = {
    etcd,
    etcdVersion: etcdVersion as string,
    restoreCommand,
    restore,
    restoreVersion: restoreVersion as string,
  };
  const etcdMinor = minorOf(etcdVersion) as Minor;
  const newer = input.snapshotVersion && below(need, etcdMinor) ? etcdVersion : undefined;
  return { ok: true, tools, ...(newer ? { newer } : {}) };
}
