/**
 * Names in Redis: one BullMQ queue per cluster (its worker runs where that cluster's
 * etcd and API server are reachable), one outbox queue for every Slack write, and
 * job ids derived from request ids so a re-delivered request enqueues once.
 */

/** The BullMQ key prefix unless a deployment sets another; every Quorum key starts with it. */
export const DEFAULT_PREFIX = 'quorum';

/** `jobs-prod`: the queue of cluster `prod` (BullMQ queue names may not contain ':'). */
export function clusterQueueName(cluster: string): string {
  return `jobs-${cluster}`;
}

export const OUTBOX_QUEUE = 'slack-outbox';

/**
 * The job id of a request: `etcd.snapshot@<request id>`. Slack's ids (trigger ids,
 * action timestamps, envelope ids) are kept readable; characters BullMQ refuses in a
 * custom id (':') and anything unusual become '_'.
 */
export function jobIdFor(kind: string, requestId: string): string {
  const safe = requestId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
  return `${kind}@${safe}`;
}
