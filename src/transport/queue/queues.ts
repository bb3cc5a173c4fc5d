/**
 * The producer side of the cluster queues: one BullMQ Queue per configured cluster,
 * created on first use, all sharing one Redis connection that the caller owns.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QuorumError } from '../../domain/errors.js';
import type { JobEnvelope, JobSummary } from './job-data.js';
import { clusterQueueName, DEFAULT_PREFIX } from './names.js';

export type ClusterQueue = Queue<JobEnvelope, JobSummary, string>;

export interface JobQueuesOptions {
  connection: Redis;
  /** The clusters that may be addressed; any other name is CLUSTER_UNKNOWN. */
  clusters: readonly string[];
  prefix?: string;
}

export class JobQueues {
  readonly prefix: string;
  private readonly queues = new Map<string, ClusterQueue>();

  constructor(private readonly opts: JobQueuesOptions) {
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
  }

  get clusters(): readonly string[] {
    return this.opts.clusters;
  }

  /** The queue of `cluster`; CLUSTER_UNKNOWN when it is not configured. */
  queue(cluster: string): ClusterQueue {
    const existing = this.queues.get(cluster);
    if (existing) return existing;
    if (!this.opts.clusters.includes(cluster)) {
      throw new QuorumError(
        'CLUSTER_UNKNOWN',
        `No cluster named "${cluster}" is configured.`,
        `Use one of: ${this.opts.clusters.join(', ')}.`,
      );
    }
    const queue: ClusterQueue = new Queue(clusterQueueName(cluster), {
      connection: this.opts.connection,
      prefix: this.prefix,
    });
    // A Queue emits 'error' on connection trouble; the shared connection reports it already.
    queue.on('error', () => undefined);
    this.queues.set(cluster, queue);
    return queue;
  }

  /** The queues created so far (for metrics). */
  opened(): ClusterQueue[] {
    return [...this.queues.values()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
