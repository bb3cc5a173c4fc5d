/**
 * The restore phase of a drill, with the tool drill-tools.ts chose: `snapshot status -w json`
 * of the fetched file (bbolt's revision, key count, size and hash), then `snapshot restore`
 * into a data dir whose membership is the scratch member alone. The restore checks the
 * trailing hash once more; with a single-member initial cluster the restored member needs
 * no `--force-new-cluster`.
 */
import type { DrillData } from '../../domain/drill.js';
import { lastLines, runTool, type Env } from './drill-process.js';
import type { ScratchSpec } from './drill-scratch.js';
import type { DrillTools } from './drill-tools.js';

export type SnapshotStatus = NonNullable<DrillData['status']>;

export class ToolFailedError extends Error {}

/** `etcdutl snapshot status FILE -w json` (etcd 3.4: `etcdctl`). */
export async function snapshotStatus(
  tools: DrillTools,
  file: string,
  env: Env,
  deadline: number,
): Promise<SnapshotStatus> {
  const r = await runTool(tools.restore, ['snapshot', 'status', file, '-w', 'json'], env, deadline);
  if (r.code !== 0) {
    throw new ToolFailedError(
      `${tools.restoreCommand} snapshot status failed: ${lastLines(r.stderr || r.stdout)}`,
    );
  }
  const s = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Partial<SnapshotStatus>;
  const { revision, totalKey, totalSize, hash } = s;
  if (![revision, totalKey, totalSize, hash].every((n) => typeof n === 'number')) {
    throw new ToolFailedError(
      `${tools.restoreCommand} snapshot status printed ${lastLines(r.stdout)}`,
    );
  }
  return s as SnapshotStatus;
}

/** Restores `file` into `dataDir` (which must not exist) as the member `spec` names. */
export async function restoreSnapshot(
  tools: DrillTools,
  file: string,
  dataDir: string,
  spec: ScratchSpec,
  env: Env,
  deadline: number,
): Promise<void> {
  const r = await runTool(
    tools.restore,
    [
      'snapshot',
      'restore',
      file,
      `--data-dir=${dataDir}`,
      `--name=${spec.name}`,
      `--initial-cluster=${spec.name}=${spec.peerUrl}`,
      `--initial-cluster-token=${spec.token}`,
      `--initial-advertise-peer-urls=${spec.peerUrl}`,
    ],
    env,
    deadline,
  );
  if (r.code !== 0) {
    throw new ToolFailedError(
      `${tools.restoreCommand} snapshot restore failed: ${lastLines(r.stderr || r.stdout)}`,
    );
  }
}
