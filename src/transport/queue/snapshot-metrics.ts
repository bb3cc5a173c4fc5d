/**
 * The "last successful snapshot" gauges: read from the snapshot directory when a
 * worker starts (so a restart does not reset them) and set after every snapshot job.
 */
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../domain/logger.js';
import type { Report } from '../../domain/report.js';
import type { SnapshotMeta } from '../../domain/snapshot.js';
import { listSnapshots } from '../../operations/etcd/snapshot-store.js';
import type { RuntimeMetrics } from '../http/metrics.js';

function record(metrics: RuntimeMetrics, cluster: string, at: string, size: number): void {
  metrics.snapshotLastSuccess.set({ cluster }, Date.parse(at) / 1000);
  metrics.snapshotLastSize.set({ cluster }, size);
}

/** After a job: a saved snapshot moves the gauges. */
export function observeReport(metrics: RuntimeMetrics, report: Report): void {
  const meta = (report.data as { meta?: SnapshotMeta } | undefined)?.meta;
  if (report.kind === 'etcd.snapshot' && meta?.verified) {
    record(metrics, report.cluster, meta.finishedAt, meta.size);
  }
}

/** At start: the newest verified snapshot of each cluster this worker serves. */
export async function initSnapshotMetrics(
  metrics: RuntimeMetrics,
  config: Config,
  clusters: readonly string[],
  logger: Logger,
): Promise<void> {
  for (const name of clusters) {
    const cluster = config.clusters.find((c) => c.name === name);
    if (!cluster) continue;
    try {
      const newest = (await listSnapshots(cluster.snapshotDir ?? config.snapshotDir, name)).find(
        (e) => e.verified,
      );
      if (newest) record(metrics, name, newest.meta?.finishedAt ?? newest.createdAt, newest.size);
    } catch (err) {
      logger.warn({ err, cluster: name }, 'cannot read the snapshot directory for metrics');
    }
  }
}
