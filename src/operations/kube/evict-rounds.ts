/**
 * The eviction rounds of a drain. Each round asks for every pending pod's eviction
 * with at most `concurrency` requests in flight; the refused ones (429: a
 * PodDisruptionBudget) are asked again after a pause that starts at the interval and
 * doubles each round (at most 30 s, or the interval when that is longer), until none
 * is refused or the drain's retry limit has passed. A pod once granted or gone is
 * never asked again. Progress is told each time it changes.
 */
import { isQuorumError } from '../../domain/errors.js';
import type { EvictionResult } from '../../domain/kube.js';
import type { KubeClient } from './client.js';
import type { DrainData } from './drain-findings.js';
import { blockedGroups, type DrainProgress } from './drain-progress.js';
import { forEachBounded } from './for-each-bounded.js';
import type { NodePod } from './node-pods.js';
import { podRef } from './report.js';

/** The drain's clock: the retry interval and limit, measured from `start`. */
export interface Timing {
  interval: number;
  limit: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  start: number;
}

export interface EvictionRun {
  client: KubeClient;
  data: DrainData;
  timing: Timing;
  /** Eviction requests in flight at most. */
  concurrency: number;
  /** The deadline of one API call started now. */
  deadline: () => number;
  onProgress?: (p: DrainProgress) => void;
}

const MAX_PAUSE_MS = 30_000;

/** The pause after refused round `round` (1-based): the interval, doubling, capped. */
export function retryPause(interval: number, round: number): number {
  const cap = Math.max(interval, MAX_PAUSE_MS);
  return Math.min(cap, interval * 2 ** Math.min(round - 1, 30));
}

/** The pods refused at their latest try (by the budget named), and progress told on change. */
class Tally {
  readonly refused = new Map<string, string | undefined>();
  private told = '';

  constructor(private readonly run: EvictionRun) {}

  tell(): void {
    const { data, onProgress } = this.run;
    const progress: DrainProgress = {
      done: data.evicted.length + data.gone.length,
      total: data.total,
      blocked: blockedGroups(this.refused.values()),
      failed: data.failed.length,
    };
    const key = JSON.stringify(progress);
    if (key === this.told) return;
    this.told = key;
    onProgress?.(progress);
  }
}

/**
 * One eviction. A refusal of this pod alone (e.g. two budgets select it: HTTP 500)
 * is recorded and the drain goes on; losing the API server or the permission stops it.
 */
async function evictOne(run: EvictionRun, pod: NodePod): Promise<EvictionResult | 'failed'> {
  try {
    return await run.client.evictPod(pod.namespace, pod.name, run.deadline());
  } catch (err) {
    if (!isQuorumError(err) || err.code !== 'KUBE_OPERATION_FAILED') throw err;
    run.data.failed.push({ pod: podRef(pod), error: err.message });
    return 'failed';
  }
}

function record(run: EvictionRun, tally: Tally, pod: NodePod, result: EvictionResult | 'failed') {
  const ref = podRef(pod);
  if (typeof result === 'object') tally.refused.set(ref, result.budget);
  else tally.refused.delete(ref);
  if (result === 'evicted') {
    run.data.evicted.push(ref);
    if (pod.class === 'unmanaged') run.data.unmanaged.push(ref);
  }
  if (result === 'gone') run.data.gone.push(ref);
  tally.tell();
}

/** One pass over the pending pods, `concurrency` at a time; returns those still refused. */
async function evictRound(run: EvictionRun, tally: Tally, pending: NodePod[]): Promise<NodePod[]> {
  await forEachBounded(pending, run.concurrency, async (pod) => {
    record(run, tally, pod, await evictOne(run, pod));
  });
  return pending.filter((p) => tally.refused.has(podRef(p)));
}

/** The outcome lists in the node's pod order, whatever order the answers came in. */
function inPodOrder(data: DrainData, pods: NodePod[]): void {
  const index = new Map(pods.map((p, i) => [podRef(p), i]));
  const byPod = (a: string, b: string) => (index.get(a) ?? -1) - (index.get(b) ?? -1);
  data.evicted.sort(byPod);
  data.gone.sort(byPod);
  data.unmanaged.sort(byPod);
  data.failed.sort((a, b) => byPod(a.pod, b.pod));
}

/** Rounds of evictions until none is refused or the retry limit has passed; returns the refused. */
export async function evictAll(run: EvictionRun, pods: NodePod[]): Promise<NodePod[]> {
  const { data, timing: t } = run;
  const tally = new Tally(run);
  tally.tell();
  let pending = pods;
  for (;;) {
    data.rounds += 1;
    pending = await evictRound(run, tally, pending);
    const elapsed = t.now() - t.start;
    data.retriedMs = elapsed;
    if (pending.length === 0 || elapsed >= t.limit) break;
    await t.sleep(Math.min(retryPause(t.interval, data.rounds), t.limit - elapsed));
  }
  inPodOrder(data, pods);
  return pending;
}
