/**
 * Drill results as records: one per drill, made from its report, and the CLI's way of
 * keeping them — `<snapshot file>.drill.json` beside the snapshot (0600, written
 * atomically). Beside the snapshot rather than in its sidecar: the sidecar is the
 * snapshot's own description, written once when it is saved and read by verification;
 * a drill is a later observation, repeated, and a drill killed mid-write must never
 * damage what verification depends on. When retention removes the snapshot, its drill
 * record stops counting (only records of kept snapshots are read).
 */
import { access, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DrillHistory, DrillRecord, DrillRecords, DrillReport } from '../../domain/drill.js';
import { bySeverity, worstSeverity } from '../../domain/report.js';
import { ensureDir } from './ensure-dir.js';
import { writeAtomically } from './durable-file.js';

export const DRILL_SUFFIX = '.drill.json';

/** What is kept of a drill: enough for the check, the upgrade gate and the metrics. */
export function drillRecordOf(report: DrillReport): DrillRecord {
  const severity = report.couldNotRun ? 'crit' : worstSeverity(report.findings);
  const worst = bySeverity(report.findings)[0];
  return {
    cluster: report.cluster,
    snapshotId: report.data.snapshot.id,
    snapshotFile: path.basename(report.data.snapshot.path),
    snapshotCreatedAt: report.data.snapshot.createdAt,
    drilledAt: report.finishedAt,
    ok: !report.couldNotRun && severity !== 'crit' && report.data.proved !== 'nothing',
    proved: report.data.proved,
    severity,
    phases: report.data.phases,
    totalMs: report.data.totalMs,
    size: report.data.snapshot.size,
    summary: report.couldNotRun ?? worst?.title ?? 'drilled',
  };
}

/** The newest of each kind among `records`, by when they were drilled. */
export function historyOf(records: readonly DrillRecord[]): DrillHistory {
  const sorted = [...records].sort((a, b) => b.drilledAt.localeCompare(a.drilledAt));
  const last = sorted[0];
  const lastSuccess = sorted.find((r) => r.ok);
  return { ...(last ? { last } : {}), ...(lastSuccess ? { lastSuccess } : {}) };
}

async function readRecord(file: string): Promise<DrillRecord | undefined> {
  try {
    const doc = JSON.parse(await readFile(file, 'utf8')) as Partial<DrillRecord> | null;
    return doc && typeof doc.drilledAt === 'string' && typeof doc.ok === 'boolean'
      ? (doc as DrillRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/**
 * Drill records in `dir`. With `snapshotsHere` (the default: `dir` is the snapshot
 * directory) a record counts only while its snapshot is kept, and writing one removes the
 * records of snapshots that retention removed; a store elsewhere (a bucket) keeps them all.
 */
export function fileDrillRecords(
  dir: string,
  opts: { snapshotsHere?: boolean } = {},
): DrillRecords {
  const here = opts.snapshotsHere ?? true;
  const names = async () =>
    (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(DRILL_SUFFIX));
  const kept = (n: string) => !here || exists(path.join(dir, n.slice(0, -DRILL_SUFFIX.length)));
  return {
    async record(r) {
      await ensureDir(dir);
      await writeAtomically(
        path.join(dir, `${r.snapshotFile}${DRILL_SUFFIX}`),
        `${JSON.stringify(r, null, 2)}\n`,
      );
      for (const n of await names()) {
        if (!(await kept(n))) await rm(path.join(dir, n), { force: true });
      }
    },
    async history(cluster) {
      const records = await Promise.all(
        (await names()).map(async (n) => {
          const record = await readRecord(path.join(dir, n));
          return record?.cluster === cluster && (await kept(n)) ? record : undefined;
        }),
      );
      return historyOf(records.filter((r): r is DrillRecord => r !== undefined));
    },
  };
}
