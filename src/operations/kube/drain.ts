/**
 * Drain a node: cordon it, then evict every pod on it except DaemonSet and static
 * (mirror) pods through the policy/v1 Eviction API, which honours
 * PodDisruptionBudgets. A refused eviction (429) is retried every interval until
 * the overall limit; what is still refused then is reported with the budget that
 * refused it. Nothing is ever deleted directly. Running it again is safe: pods that
 * are already gone count as done.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { isQuorumError } from '../../domain/errors.js';
import type { EvictionResult } from '../../domain/kube.js';
import type { Report } from '../../domain/report.js';
import type { KubeClient } from './client.js';
import { setScheduling } from './cordon.js';
import { drainFindings, type BlockingBudget, type DrainData } from './drain-findings.js';
import { missingNode } from './node-rules.js';
import { listNodePods, type NodePod } from './node-pods.js';
import { callDeadline, kubeReport, podRef, type KubeOpInput } from './report.js';
import { selectorSelects, selectorText } from './selector.js';

export type { BlockingBudget, DrainData } from './drain-findings.js';

export interface DrainInput extends KubeOpInput {
  node: string;
  /** Pause between rounds of refused evictions. Default 5 s. */
  retryIntervalMs?: number;
  /** Stop retrying refused evictions after this long. Default 5 min. */
  retryLimitMs?: number;
  /** Called with (done, total) at the start and after each pod evicted or found gone. */
  onProgress?: (done: number, total: number) => void;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type DrainReport = Report<DrainData>;

interface Timing {
  interval: number;
  limit: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  start: number;
}

function timing(input: DrainInput): Timing {
  const now = input.now ?? Date.now;
  return {
    interval: input.retryIntervalMs ?? 5_000,
    limit: input.retryLimitMs ?? 300_000,
    sleep: input.sleep ?? ((ms) => sleepFor(ms)),
    now,
    start: now(),
  };
}

function emptyData(node: string): DrainData {
  return {
    node,
    cordoned: false,
    total: 0,
    evicted: [],
    gone: [],
    skipped: [],
    blocked: [],
    failed: [],
    budgets: [],
    unmanaged: [],
    terminating: [],
    rounds: 0,
    retriedMs: 0,
  };
}

/**
 * One eviction. A refusal of this pod alone (e.g. two budgets select it: HTTP 500)
 * is recorded and the drain goes on; losing the API server or the permission stops it.
 */
async function evictOne(
  client: KubeClient,
  pod: NodePod,
  input: DrainInput,
  data: DrainData,
): Promise<EvictionResult | 'failed'> {
  try {
    return await client.evictPod(pod.namespace, pod.name, callDeadline(input));
  } catch (err) {
    if (!isQuorumError(err) || err.code !== 'KUBE_OPERATION_FAILED') throw err;
    data.failed.push({ pod: podRef(pod), error: err.message });
    return 'failed';
  }
}

/** One pass over the pending pods; returns those still refused. */
async function evictRound(
  client: KubeClient,
  pending: NodePod[],
  input: DrainInput,
  data: DrainData,
): Promise<NodePod[]> {
  const refused: NodePod[] = [];
  for (const pod of pending) {
    const result = await evictOne(client, pod, input, data);
    if (result === 'failed') continue;
    if (result === 'blocked') {
      refused.push(pod);
      continue;
    }
    (result === 'evicted' ? data.evicted : data.gone).push(podRef(pod));
    if (result === 'evicted' && pod.class === 'unmanaged') data.unmanaged.push(podRef(pod));
    input.onProgress?.(data.evicted.length + data.gone.length, data.total);
  }
  return refused;
}

/** Rounds of evictions until none is refused or the retry limit has passed. */
async function evictAll(
  client: KubeClient,
  pods: NodePod[],
  input: DrainInput,
  data: DrainData,
  t: Timing,
): Promise<NodePod[]> {
  let pending = pods;
  for (;;) {
    data.rounds += 1;
    pending = await evictRound(client, pending, input, data);
    const elapsed = t.now() - t.start;
    data.retriedMs = elapsed;
    if (pending.length === 0 || elapsed >= t.limit) return pending;
    await t.sleep(Math.min(t.interval, t.limit - elapsed));
  }
}

/** The budgets in the blocked pods' namespaces that select them, as they stand now. */
async function blockingBudgets(
  client: KubeClient,
  blocked: NodePod[],
  input: DrainInput,
): Promise<BlockingBudget[]> {
  const namespaces = [...new Set(blocked.map((p) => p.namespace))];
  const lists = await Promise.all(namespaces.map((ns) => client.listPdbs(ns, callDeadline(input))));
  return lists.flat().flatMap((pdb) => {
    const pods = blocked
      .filter((p) => p.namespace === pdb.namespace && selectorSelects(pdb.selector, p.labels))
      .map(podRef);
    if (pods.length === 0) return [];
    const { selector, ...rest } = pdb;
    return [{ ...rest, selector: selectorText(selector), pods }];
  });
}

/** Evicted pods still listed on the node (terminating), polled until gone or out of time. */
async function stillTerminating(
  client: KubeClient,
  input: DrainInput,
  evicted: Set<string>,
  t: Timing,
): Promise<string[]> {
  for (;;) {
    const left = (await listNodePods(client, input.node, callDeadline(input)))
      .map(podRef)
      .filter((ref) => evicted.has(ref));
    const elapsed = t.now() - t.start;
    if (left.length === 0 || elapsed >= t.limit) return left;
    await t.sleep(Math.min(t.interval, t.limit - elapsed));
  }
}

/** Cordons and drains the node; see the module comment. */
export async function drainNode(client: KubeClient, input: DrainInput): Promise<DrainReport> {
  const startedAt = new Date().toISOString();
  const data = emptyData(input.node);
  const { node, changed } = await setScheduling(client, input, true);
  if (!node) {
    return kubeReport(
      'kube.drain',
      input.cluster,
      startedAt,
      [missingNode(input.node, client.server)],
      data,
    );
  }
  data.cordoned = changed;
  const pods = await listNodePods(client, input.node, callDeadline(input));
  const toEvict = pods.filter((p) => p.class !== 'daemonset' && p.class !== 'static');
  data.skipped = pods
    .filter((p) => !toEvict.includes(p))
    .map((p) => ({ pod: podRef(p), class: p.class }));
  data.total = toEvict.length;
  input.onProgress?.(0, data.total);
  const t = timing(input);
  const blocked = await evictAll(client, toEvict, input, data, t);
  data.blocked = blocked.map(podRef);
  if (blocked.length > 0) data.budgets = await blockingBudgets(client, blocked, input);
  else if (data.evicted.length > 0) {
    data.terminating = await stillTerminating(client, input, new Set(data.evicted), t);
  }
  return kubeReport('kube.drain', input.cluster, startedAt, drainFindings(data), data);
}
