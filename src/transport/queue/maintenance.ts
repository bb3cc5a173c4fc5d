/**
 * Per-cluster maintenance exclusivity: a snapshot, defrag or compaction runs only
 * while its worker holds the cluster's lease in Redis (state/locks.ts), however
 * many workers run. A job that finds the lease taken is not failed: it goes back
 * to the delayed set for a little while (no attempt is used up) and tries again.
 */
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from '../../domain/logger.js';
import {
  maintenanceLockKey,
  tryAcquireLease,
  type Lease,
  type LockRedis,
} from '../../state/locks.js';
import type { RuntimeMetrics } from '../http/metrics.js';

export interface MaintenanceDeps {
  redis: LockRedis;
  prefix: string;
  /** Lease TTL: how long a killed worker blocks its cluster's maintenance. */
  leaseTtlMs: number;
  /** How soon a job that found its cluster busy tries again (±25 % jitter). */
  busyRetryMs: number;
  workerName: string;
  metrics: RuntimeMetrics;
  logger: Logger;
}

export const waitingStep = (cluster: string) =>
  `waiting: another maintenance operation is running on ${cluster}`;

/** The lease for `cluster`, or the job is delayed and this throws BullMQ's DelayedError. */
export async function leaseOrDefer(
  job: Job,
  token: string | undefined,
  cluster: string,
  deps: MaintenanceDeps,
): Promise<Lease> {
  const key = maintenanceLockKey(deps.prefix, cluster);
  const lease = await tryAcquireLease(deps.redis, key, {
    ttlMs: deps.leaseTtlMs,
    holder: `${deps.workerName}/${job.id ?? '?'}`,
    onLost: () =>
      deps.logger.error(
        { job: job.id, cluster },
        'the maintenance lease expired while the job ran (Redis unreachable or the process paused)',
      ),
  });
  if (lease) return lease;
  deps.metrics.maintenanceDeferred.inc({ cluster });
  const step = waitingStep(cluster);
  if ((job.progress as { step?: string } | undefined)?.step !== step) {
    await job.updateProgress({ step });
  }
  const delay = Math.round(deps.busyRetryMs * (0.75 + Math.random() * 0.5));
  await job.moveToDelayed(Date.now() + delay, token);
  throw new DelayedError();
}
