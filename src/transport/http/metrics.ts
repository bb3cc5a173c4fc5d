/**
 * Quorum's Prometheus metrics (prom-client), all named `quorum_*`, in a registry of
 * their own. Queue depth is read from Redis when /metrics is scraped, from sources
 * the runtime registers (one per queue it knows). A scrape passes `promtool check metrics`
 * (test/e2e/metrics-lint.test.ts).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Counts of one queue by state, e.g. `{ waiting: 3, active: 1, delayed: 0, failed: 2 }`. */
export type QueueDepthSource = () => Promise<{ queue: string; counts: Record<string, number> }>;

export interface RuntimeMetrics {
  registry: Registry;
  /** Jobs that did their work, whatever they found (a crit etcd check included). */
  jobsCompleted: Counter<'kind' | 'cluster'>;
  /**
   * Jobs that failed for good: attempts exhausted, not retryable, or a report saying the
   * operation refused, stopped or could not run (`reportFailure` in domain/report.ts).
   */
  jobsFailed: Counter<'kind' | 'cluster'>;
  /** Attempts that failed and will be retried. */
  jobRetries: Counter<'kind' | 'cluster'>;
  /** outcome: `completed` or `failed`, as the two counters above (and every failed attempt). */
  jobDuration: Histogram<'kind' | 'outcome'>;
  /** Times a maintenance job found its cluster busy and was put back. */
  maintenanceDeferred: Counter<'cluster'>;
  snapshotLastSuccess: Gauge<'cluster'>;
  snapshotLastSize: Gauge<'cluster'>;
  slackCalls: Counter<'method' | 'outcome'>;
  slackRateLimited: Counter<'method'>;
  outboxDropped: Counter<'reason'>;
  addQueueDepthSource(source: QueueDepthSource): void;
}

const PREFIX = 'quorum_';

/**
 * prom-client's gauges of the totals of active handles, requests and resources end in
 * `_total`, which Prometheus keeps for counters (promtool: "non-counter metrics should not
 * have "_total" suffix"), and their names are fixed in prom-client's collectors. Each is
 * exactly the sum of its by-type gauge, which stays (`sum(quorum_nodejs_active_handles)`).
 */
const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Node.js and process metrics (`quorum_process_*`, `quorum_nodejs_*`), lint-clean. */
function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(PREFIX + name);
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): RuntimeMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectProcessMetrics(registry);
  const registers = [registry];
  const sources: QueueDepthSource[] = [];
  new Gauge({
    name: 'quorum_queue_depth',
    help: 'Jobs in a queue by state (waiting, active, delayed, failed), read at scrape time.',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      this.reset();
      const results = await Promise.allSettled(sources.map((s) => s()));
      for (const r of results) {
        if (r.status !== 'fulfilled') continue;
        for (const [state, n] of Object.entries(r.value.counts)) {
          this.set({ queue: r.value.queue, state }, n);
        }
      }
    },
  });
  return {
    registry,
    jobsCompleted: new Counter({
      name: 'quorum_jobs_completed_total',
      help: 'Jobs that did their work (whatever they found), by kind and cluster.',
      labelNames: ['kind', 'cluster'],
      registers,
    }),
    jobsFailed: new Counter({
      name: 'quorum_jobs_failed_total',
      help: 'Jobs that failed for good (no attempts left, not retryable, or the operation refused, stopped or could not run), by kind and cluster.',
      labelNames: ['kind', 'cluster'],
      registers,
    }),
    jobRetries: new Counter({
      name: 'quorum_job_retries_total',
      help: 'Failed attempts that will be retried, by kind and cluster.',
      labelNames: ['kind', 'cluster'],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'quorum_job_duration_seconds',
      help: 'Duration of job attempts, by kind and outcome (completed; failed: an error, or the operation refused, stopped or could not run).',
      labelNames: ['kind', 'outcome'],
      buckets: [0.01, 0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    }),
    maintenanceDeferred: new Counter({
      name: 'quorum_maintenance_deferred_total',
      help: 'Times a maintenance job found another one running on its cluster and waited.',
      labelNames: ['cluster'],
      registers,
    }),
    snapshotLastSuccess: new Gauge({
      name: 'quorum_snapshot_last_success_timestamp_seconds',
      help: 'When the newest verified snapshot of the cluster was taken (Unix time).',
      labelNames: ['cluster'],
      registers,
    }),
    snapshotLastSize: new Gauge({
      name: 'quorum_snapshot_last_size_bytes',
      help: 'Size of the newest verified snapshot of the cluster.',
      labelNames: ['cluster'],
      registers,
    }),
    slackCalls: new Counter({
      name: 'quorum_slack_calls_total',
      help: 'Slack Web API calls made by the outbox, by method and outcome (ok, error).',
      labelNames: ['method', 'outcome'],
      registers,
    }),
    slackRateLimited: new Counter({
      name: 'quorum_slack_rate_limited_total',
      help: 'HTTP 429 answers Slack gave to any call Quorum made (the outbox, the bot, response_url), by method.',
      labelNames: ['method'],
      registers,
    }),
    outboxDropped: new Counter({
      name: 'quorum_outbox_dropped_total',
      help: 'Outbox messages given up on (refused for good, still failing past the retry limit, or their thread root never posted), by reason; each is dead-lettered and logged.',
      labelNames: ['reason'],
      registers,
    }),
    addQueueDepthSource: (source) => void sources.push(source),
  };
}
