/**
 * The "last successful snapshot" and "last successful drill" gauges, and each drill's
 * time by phase: read when a worker starts (from the snapshot store, and from the
 * drill records in Redis, so a restart does not reset them) and set after every
 * snapshot and drill job.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Config } from '../../config/schema.js';
import { DRILL_PHASES, type DrillRecord, type DrillRecords } from '../../domain/drill.js';
import type { Logger } from '../../domain/logger.js';
import type { Report } from '../../domain/report.js';
import type { SnapshotMeta } from '../../domain/snapshot.js';
import type { DrillReport } from '../../domain/drill.js';
import { drillRecordOf } from '../../operations/etcd/drill-records.js';
import type { SnapshotStoreFactory } from '../../operations/etcd/store/snapshot-store.js';
import { snapshotStoreOf, snapshotStoreSpec } from '../../app/snapshots/store-spec.js';
import type { RuntimeMetrics } from '../http/metrics.js';

const DRILL_SUCCESS = 'quorum_snapshot_last_drill_success_timestamp_seconds';
const DRILL_PHASE = 'quorum_snapshot_drill_phase_seconds';

/** The drill gauges, registered once in the runtime's registry. */
function drillGauges(registry: Registry) {
  const existing = registry.getSingleMetric(DRILL_SUCCESS) as Gauge<'cluster'> | undefined;
  const success =
    existing ??
    new Gauge({
      name: DRILL_SUCCESS,
      help: 'When the newest drill that restored a snapshot of the cluster and found nothing critical ended (Unix time).',
      labelNames: ['cluster'],
      registers: [registry],
    });
  const phase =
    (registry.getSingleMetric(DRILL_PHASE) as Gauge<'cluster' | 'phase'> | undefined) ??
    new Gauge({
      name: DRILL_PHASE,
      help: "The last successful drill's time per phase (download, restore, start, scan, total): the cluster's time to restore.",
      labelNames: ['cluster', 'phase'],
      registers: [registry],
    });
  return { success, phase };
}

function record(metrics: RuntimeMetrics, cluster: string, at: string, size: number): void {
  metrics.snapshotLastSuccess.set({ cluster }, Date.parse(at) / 1000);
  metrics.snapshotLastSize.set({ cluster }, size);
}

function recordDrill(metrics: RuntimeMetrics, r: DrillRecord): void {
  const gauges = drillGauges(metrics.registry);
  gauges.success.set({ cluster: r.cluster }, Date.parse(r.drilledAt) / 1000);
  for (const phase of DRILL_PHASES) {
    const ms = r.phases[phase];
    if (ms !== undefined) gauges.phase.set({ cluster: r.cluster, phase }, ms / 1000);
  }
  gauges.phase.set({ cluster: r.cluster, phase: 'total' }, r.totalMs / 1000);
}

/** After a job: a saved snapshot or a successful drill moves the gauges. */
export function observeReport(metrics: RuntimeMetrics, report: Report): void {
  const meta = (report.data as { meta?: SnapshotMeta } | undefined)?.meta;
  if (report.kind === 'etcd.snapshot' && meta?.verified) {
    record(metrics, report.cluster, meta.finishedAt, meta.size);
  }
  if (report.kind === 'etcd.drill') {
    const drill = drillRecordOf(report as DrillReport);
    if (drill.ok) recordDrill(metrics, drill);
  }
}

/** At start: the newest verified snapshot and the last successful drill of each cluster served. */
export async function initSnapshotMetrics(
  metrics: RuntimeMetrics,
  config: Config,
  clusters: readonly string[],
  logger: Logger,
  drills?: DrillRecords,
  stores?: SnapshotStoreFactory,
): Promise<void> {
  drillGauges(metrics.registry);
  for (const name of clusters) {
    const cluster = config.clusters.find((c) => c.name === name);
    if (!cluster) continue;
    try {
      const store = snapshotStoreOf(stores, snapshotStoreSpec(config, cluster));
      const newest = (await store.list(name)).find((e) => e.verified);
      if (newest) record(metrics, name, newest.meta?.finishedAt ?? newest.createdAt, newest.size);
    } catch (err) {
      logger.warn({ err, cluster: name }, 'cannot read the snapshot store for metrics');
    }
    try {
      const success = (await drills?.history(name))?.lastSuccess;
      if (success) recordDrill(metrics, success);
    } catch (err) {
      logger.warn({ err, cluster: name }, 'cannot read the drill records for metrics');
    }
  }
}
