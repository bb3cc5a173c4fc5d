/**
 * Snapshot post-processing, one way for the CLI and the worker: after a snapshot is
 * saved and verified, apply the retention policy to its store and say in the report
 * what was kept and removed. A snapshot that failed verification prunes nothing.
 * `prune` also cleans up leftovers of interrupted snapshots (temp files, unfinished
 * multipart uploads), and says what the store could not do.
 */
import type { Report } from '../../domain/report.js';
import type { RetentionDecision, RetentionPolicy } from '../../domain/snapshot.js';
import type { EtcdConnector } from '../../operations/etcd/client.js';
import { selectRetention } from '../../operations/etcd/retention.js';
import {
  takeSnapshot,
  type SnapshotInput,
  type SnapshotReport,
} from '../../operations/etcd/snapshot.js';
import type { SnapshotStore, StoreCleanup } from '../../operations/etcd/store/snapshot-store.js';

/** The retention decision for `cluster`'s snapshots in `store`, carried out unless `dryRun`. */
export async function applyRetention(
  store: SnapshotStore,
  cluster: string,
  policy: RetentionPolicy,
  opts: { dryRun?: boolean; now?: Date } = {},
): Promise<RetentionDecision> {
  const entries = await store.list(cluster);
  const decision = selectRetention(entries, policy, opts.now ?? new Date());
  if (!opts.dryRun) for (const entry of decision.remove) await store.remove(entry);
  return decision;
}

/** `quorum etcd prune`: leftovers cleaned up (named only in a dry run), then the retention policy. */
export async function pruneStore(
  store: SnapshotStore,
  cluster: string,
  policy: RetentionPolicy,
  opts: { dryRun?: boolean; now?: Date } = {},
): Promise<{ cleanup: StoreCleanup; decision: RetentionDecision }> {
  const cleanup = await store.prepare({ dryRun: opts.dryRun });
  return { cleanup, decision: await applyRetention(store, cluster, policy, opts) };
}

/** Takes a snapshot; when it was saved, keeps the store by the policy. */
export async function snapshotAndKeep(
  connect: EtcdConnector,
  input: SnapshotInput,
  policy: RetentionPolicy,
): Promise<{ report: SnapshotReport; retention?: RetentionDecision }> {
  const report = await takeSnapshot(connect, input);
  if (!report.data.meta) return { report };
  const retention = await applyRetention(input.store, report.cluster, policy);
  return { report: withRetention(report, retention), retention };
}

function withRetention<R extends Report>(report: R, decision: RetentionDecision): R {
  return {
    ...report,
    findings: [
      ...report.findings,
      {
        id: 'etcd.snapshot.retention',
        severity: 'info',
        title: `Keeping ${decision.keep.length} snapshot(s); removed ${decision.remove.length} by the retention policy`,
        detail: decision.remove.length
          ? `Removed: ${decision.remove.map((e) => e.id).join(', ')}`
          : undefined,
      },
    ],
  };
}
