/**
 * What a drill proved, judged without I/O: the revisions (the fetched file's, the restored
 * etcd's, the one recorded at save time) and the key counts recorded when the snapshot was
 * taken against the restored copy's. Also the findings of the phases that can fail, each
 * with what to do, and the time to restore as the operator should plan for it.
 */
import type { DrillData, DrillPhase, DrillProof } from '../../domain/drill.js';
import type { Finding } from '../../domain/report.js';
import { formatBytes, formatDuration } from '../../domain/units.js';
import type { ScanResult } from './drill-scan.js';
import type { SnapshotStatus } from './drill-restore.js';

export interface JudgeInput {
  cluster: string;
  snapshotId: string;
  /** The revision the sidecar recorded (status just before streaming). */
  metaRevision?: number;
  status: SnapshotStatus;
  scan: ScanResult;
}

const takeNew = (cluster: string) =>
  `Take a new snapshot now (\`/etcd-snapshot ${cluster}\` in Slack, or \`quorum etcd snapshot --cluster ${cluster}\`) and drill it (\`quorum etcd drill latest --cluster ${cluster}\`).`;

/** A snapshot whose bytes are not a whole, intact snapshot (flipped, cut, unreadable). */
export function damagedFinding(cluster: string, id: string, problem: string): Finding {
  return {
    id: 'etcd.drill.download',
    severity: 'crit',
    title: `Snapshot ${id} is damaged: ${problem}`,
    detail: 'Nothing was restored from it and nothing was left running.',
    remedy: `Do not restore from it. ${takeNew(cluster)} Check the other snapshots with \`quorum etcd snapshots --verify\`; keep the damaged file for investigation of the storage it was on.`,
  };
}

/** A phase that failed after the bytes checked out: the restore tool, etcd's start, or a read. */
export function phaseFailedFinding(
  cluster: string,
  id: string,
  phase: Exclude<DrillPhase, 'download'>,
  message: string,
): Finding {
  const what = {
    restore: `Snapshot ${id} did not restore`,
    start: `etcd did not start on the data restored from ${id}`,
    scan: `The etcd restored from ${id} failed a read`,
  }[phase];
  return {
    id: `etcd.drill.${phase}`,
    severity: 'crit',
    title: what,
    detail: message,
    remedy: `A restore from this snapshot would fail the same way: do not count on it. ${takeNew(cluster)} If a new one fails too, run the drill with LOG_LEVEL=debug and compare the etcd versions of the cluster and of the drill's binaries.`,
  };
}

function revisionFindings(j: JudgeInput): Finding[] {
  const { status, scan } = j;
  const out: Finding[] = [];
  if (scan.restoredRevision !== status.revision) {
    out.push({
      id: 'etcd.drill.revision',
      severity: 'crit',
      title: `The restored etcd is at revision ${scan.restoredRevision}, the snapshot file at ${status.revision}`,
      remedy: `The restore lost or invented writes. ${takeNew(j.cluster)}`,
    });
  }
  const recorded = scan.behind ?? j.metaRevision;
  if (recorded !== undefined && scan.restoredRevision < recorded) {
    out.push({
      id: 'etcd.drill.revision',
      severity: 'crit',
      title: `Snapshot ${j.snapshotId} holds revision ${scan.restoredRevision}, older than the revision ${recorded} recorded when it was taken`,
      remedy: `The file is not the snapshot its metadata describes. ${takeNew(j.cluster)}`,
    });
  }
  return out;
}

function countFindings(j: JudgeInput): Finding[] {
  const { scan, snapshotId: id } = j;
  const at = `revision ${scan.restoredRevision}`;
  if (scan.behind !== undefined) return [];
  if (scan.compacted !== undefined || !scan.counts) {
    const why =
      scan.compacted !== undefined
        ? `the counts recorded at revision ${scan.compacted} are compacted away in it`
        : 'no key counts were recorded when it was taken (an older snapshot)';
    return [
      {
        id: 'etcd.drill.counts',
        severity: 'warn',
        title: `Snapshot ${id} restored and served reads at ${at}, but ${why}: only the restore is proven`,
        remedy: `Take a new snapshot (its metadata records key counts) and drill it: \`quorum etcd snapshot --cluster ${j.cluster}\`, then \`quorum etcd drill latest --cluster ${j.cluster}\`.`,
      },
    ];
  }
  const c = scan.counts;
  const differ = c.prefixes.filter((p) => p.recorded !== p.restored);
  const totalDiffers = c.recordedTotal !== c.restoredTotal;
  if (!differ.length && !totalDiffers) {
    return [
      {
        id: 'etcd.drill.counts',
        severity: 'ok',
        title: `Snapshot ${id} restored: ${c.restoredTotal} keys in ${c.prefixes.length} resource prefixes, as counted at revision ${c.revision} when it was taken`,
      },
    ];
  }
  const lines = [
    ...(totalDiffers ? [`all keys: ${c.recordedTotal} recorded, ${c.restoredTotal} restored`] : []),
    ...differ.map((p) => `${p.prefix}: ${p.recorded} recorded, ${p.restored} restored`),
  ];
  return [
    {
      id: 'etcd.drill.counts',
      severity: 'crit',
      title: `Snapshot ${id} restored with different key counts than when it was taken (${differ.length || 'no'} prefix${differ.length === 1 ? '' : 'es'} and ${totalDiffers ? 'the total' : 'not the total'} differ, at revision ${c.revision})`,
      detail:
        lines.slice(0, 20).join('\n') + (lines.length > 20 ? `\n… ${lines.length - 20} more` : ''),
      remedy: `A restore from it would bring back other objects than the cluster held. ${takeNew(j.cluster)} Run \`quorum etcd check\` (it compares the members' HashKV) before trusting any snapshot of this cluster.`,
    },
  ];
}

/** The comparison findings of a drill that got through its scan. */
export function judgeDrill(j: JudgeInput): Finding[] {
  return [...revisionFindings(j), ...countFindings(j)];
}

/** `restore-and-counts` only when everything matched; `restore` when etcd served the data. */
export function proofOf(findings: readonly Finding[], served: boolean): DrillProof {
  if (!served) return 'nothing';
  const counted = findings.some((f) => f.id === 'etcd.drill.counts' && f.severity === 'ok');
  return counted && !findings.some((f) => f.severity === 'crit') ? 'restore-and-counts' : 'restore';
}

/** The time to restore this cluster, for this database size, phase by phase. */
export function timeFinding(data: Pick<DrillData, 'phases' | 'totalMs'>, bytes: number): Finding {
  const parts = (['download', 'restore', 'start', 'scan'] as const)
    .filter((p) => data.phases[p] !== undefined)
    .map((p) => `${p} ${formatDuration(data.phases[p] as number)}`);
  return {
    id: 'etcd.drill.time',
    severity: 'info',
    title: `Time to restore: ${formatDuration(data.totalMs)} for a ${formatBytes(bytes)} database`,
    detail: parts.join(' · '),
  };
}
