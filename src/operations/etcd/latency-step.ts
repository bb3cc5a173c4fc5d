/**
 * The check's last step: a second /metrics read of each member, and the latency
 * window that ends there — from the sample the previous check of that member kept
 * (when the caller keeps them: the worker, in Redis) or from the check's own first read.
 */
import type { LatencySample } from '../../domain/etcd.js';
import type { EtcdMember } from './client.js';
import { latencyWindow } from './latency-window.js';
import { readLatencySample } from './metrics.js';
import { readMetricsText, settleBy, type StartedProbe } from './probe.js';

/**
 * Latency samples kept between checks, one per member of one cluster (the caller binds
 * the cluster). `member` is the member ID, else the endpoint. Either call may fail: the
 * check then measures its own window.
 */
export interface LatencySamples {
  previous(member: string): Promise<LatencySample | undefined>;
  save(member: string, sample: LatencySample): Promise<void>;
}

/** Sets `metrics.window` on every probe whose first /metrics read answered; all by `deadline`. */
export async function measureLatency(
  members: readonly EtcdMember[],
  started: readonly StartedProbe[],
  deadline: number,
  samples?: LatencySamples,
): Promise<void> {
  await Promise.all(
    started.map(async (s, i) => {
      const member = members[i];
      if (!member || !s.sample || !s.probe.metrics) return;
      const key = s.probe.status?.memberId ?? s.probe.endpoint;
      const [again, kept] = await Promise.all([
        readMetricsText(member, deadline),
        samples ? settleBy(samples.previous(key), deadline) : undefined,
      ]);
      const last = again.ok ? readLatencySample(again.value.text, again.value.at) : s.sample;
      const window = latencyWindow(s.sample, last, kept?.ok ? kept.value : undefined);
      const notes = [
        window.note,
        again.ok ? undefined : `second /metrics read: ${again.error}`,
        kept && !kept.ok ? `previous sample not read: ${kept.error}` : undefined,
      ];
      if (samples) {
        // A second to keep it even when the reads used the whole deadline.
        const saved = await settleBy(
          samples.save(key, last),
          Math.max(deadline, Date.now() + 1_000),
        );
        if (!saved.ok) notes.push(`sample not kept for the next check: ${saved.error}`);
      }
      const note = notes.filter((n) => n !== undefined).join('; ');
      s.probe.metrics.window = { ...window, ...(note ? { note } : {}) };
    }),
  );
}
