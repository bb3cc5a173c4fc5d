/**
 * Drain a node: cordon it, then evict every pod on it except DaemonSet and static
 * (mirror) pods through the policy/v1 Eviction API, which honours
 * PodDisruptionBudgets, several at a time (evict-rounds.ts). A refused eviction (429)
 * is retried with a growing pause until the overall limit; what is still refused then
 * is reported with the budget that refused it. Nothing is ever deleted directly.
 * Running it again is safe: pods that are already gone count as done.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Report } from '../../domain/report.js';
import type { KubeClient } from './client.js';
import { setScheduling } from './cordon.js';
import { drainFindings, type BlockingBudget, type DrainData } from './drain-findings.js';
import type { DrainProgress } from './drain-progress.js';
import { evictAll, type Timing } from './evict-rounds.js';
import { missingNode } from './node-rules.js';
import { listNodePods, type NodePod } from './node-pods.js';
import { callDeadline, kubeReport, podRef, type KubeOpInput } from './report.js';
import { selectorSelects, selectorText } from './selector.js';

export type { BlockingBudget, DrainData } from './drain-findings.js';
export type { DrainProgress } from './drain-progress.js';

export interface DrainInput extends KubeOpInput {
  node: string;
  /** First pause between rounds of refused evictions (it doubles, to 30 s). Default 5 s. */
  retryIntervalMs?: number;
  /** Stop retrying refused evictions after this long. Default 5 min. */
  retryLimitMs?: number;
  /** Eviction requests in flight at most. Default 5. */
  concurrency?: number;
  /** Told where the drain stands at the start and whenever that changes (an eviction ends). */
  onProgress?: (p: DrainProgress) => void;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type DrainReport = Report<DrainData>;

const DEFAULT_CONCURRENCY = 5;

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
  const t = timing(input);
  const blocked = await evictAll(
    {
      client,
      data,
      timing: t,
      concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
      deadline: () => callDeadline(input),
      onProgress: input.onProgress,
    },
    toEvict,
  );
  data.blocked = blocked.map(podRef);
  if (blocked.length > 0) data.budgets = await blockingBudgets(client, blocked, input);
  else if (data.evicted.length > 0) {
    data.terminating = await stillTerminating(client, input, new Set(data.evicted), t);
  }
  return kubeReport('kube.drain', input.cluster, startedAt, drainFindings(data), data);
}
