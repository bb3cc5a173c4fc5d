/**
 * The alerts queue: the webhook only enqueues (Alertmanager re-sends to slow
 * receivers), and the bot's alert consumer works through notifications one at a
 * time (so a group's notifications keep their order). The job id is a hash of the
 * notification's content, so the same notification given to two bot replicas, or
 * re-sent, is one job. The consumer hands each notification to the incident workflow
 * (app/incidents/).
 */
import { createHash } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AlertNotification } from '../../domain/alert.js';
import type { IncidentDeps } from '../../app/incidents/deps.js';
import { processNotification } from '../../app/incidents/process-notification.js';

export const ALERTS_QUEUE = 'alerts';

export type AlertQueue = Queue<AlertNotification, string, 'notification'>;

export function createAlertQueue(connection: Redis, prefix: string): AlertQueue {
  const queue: AlertQueue = new Queue(ALERTS_QUEUE, { connection, prefix });
  queue.on('error', () => undefined);
  return queue;
}

/** Same group, same alerts in the same states since the same times: the same notification. */
export function notificationId(n: AlertNotification): string {
  const alerts = n.alerts
    .map((a) => `${a.fingerprint}|${a.status}|${a.startsAt}|${a.endsAt ?? ''}`)
    .sort()
    .join(',');
  const hash = createHash('sha256').update(
    `${n.groupKey}\n${n.status}\n${n.truncatedAlerts}\n${alerts}`,
  );
  return `alert@${hash.digest('hex').slice(0, 40)}`;
}

export async function enqueueNotification(
  queue: AlertQueue,
  n: AlertNotification,
): Promise<string> {
  const jobId = notificationId(n);
  await queue.add('notification', n, {
    jobId,
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: { age: 3_600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3_600 },
  });
  return jobId;
}

export interface AlertConsumer {
  close(): Promise<void>;
}

export function startAlertConsumer(connection: Redis, deps: IncidentDeps): AlertConsumer {
  const worker = new Worker<AlertNotification, string, 'notification'>(
    ALERTS_QUEUE,
    async (job) => processNotification(deps, job.data),
    { connection, prefix: deps.prefix, concurrency: 1 },
  );
  worker.on('error', (err) => deps.logger.warn({ err }, 'alert consumer error'));
  worker.on('failed', (job, err) =>
    deps.logger.error({ err, job: job?.id }, 'alert notification failed'),
  );
  return { close: () => worker.close(connection.status !== 'ready') };
}
