/**
 * Pure judgement of a drain's outcome: done, or which PodDisruptionBudgets kept
 * which pods on the node, with what to do before running it again.
 */
import { formatDuration } from '../../domain/units.js';
import type { Finding } from '../../domain/report.js';
import type { PodClass } from './node-pods.js';
import { listSome } from './report.js';

/** A budget that refused at least one eviction, as it stood after the last refusal. */
export interface BlockingBudget {
  namespace: string;
  name: string;
  /** kubectl `-l` syntax. */
  selector: string;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  /** The node's pods it kept (`ns/name`). */
  pods: string[];
}

/** A drain's outcome, pod by pod (`ns/name`). */
export interface DrainData {
  node: string;
  /** Cordoned by this drain (false: it already was, or the node does not exist). */
  cordoned: boolean;
  /** Pods to evict: all on the node but DaemonSet and static pods. */
  total: number;
  evicted: string[];
  /** Gone before their eviction (an earlier drain, a controller): counted as done. */
  gone: string[];
  skipped: { pod: string; class: PodClass }[];
  /** Evictions still refused when the retry limit ran out. */
  blocked: string[];
  /** Evictions the API server failed outright (not retried), with its message. */
  failed: { pod: string; error: string }[];
  budgets: BlockingBudget[];
  /** Evicted pods without a controller: nothing recreates them. */
  unmanaged: string[];
  /** Evicted pods still listed on the node (terminating) when the drain ended. */
  terminating: string[];
  rounds: number;
  /** How long the drain kept retrying refused evictions, in ms. */
  retriedMs: number;
}

function blockedFindings(d: DrainData): Finding[] {
  const covered = new Set(d.budgets.flatMap((b) => b.pods));
  const findings: Finding[] = d.budgets.map((b) => ({
    id: 'kube.drain.blocked',
    severity: 'crit',
    title: `PodDisruptionBudget ${b.namespace}/${b.name} blocks the drain of ${d.node}`,
    detail:
      `disruptionsAllowed ${b.disruptionsAllowed} (currentHealthy ${b.currentHealthy}, desiredHealthy ${b.desiredHealthy}, expectedPods ${b.expectedPods}); ` +
      `pods left: ${listSome(b.pods)}; retried for ${formatDuration(d.retriedMs)} in ${d.rounds} round(s).`,
    remedy:
      `kubectl -n ${b.namespace} get pdb ${b.name} -o wide\n` +
      `kubectl -n ${b.namespace} get pods -o wide${b.selector ? ` -l '${b.selector}'` : ''}\n` +
      'Make room first (scale the workload up, or fix its unhealthy pods on other nodes), then drain again: ' +
      'pods already evicted count as done. Quorum never deletes a pod past its budget.',
  }));
  const unexplained = d.blocked.filter((p) => !covered.has(p));
  if (unexplained.length > 0) {
    findings.push({
      id: 'kube.drain.blocked',
      severity: 'crit',
      title: `${unexplained.length} eviction(s) on ${d.node} refused (HTTP 429) with no matching budget`,
      detail: `${listSome(unexplained)}; retried for ${formatDuration(d.retriedMs)}.`,
      remedy:
        'The API server throttled the evictions (API Priority and Fairness) or a budget changed meanwhile: ' +
        `\`kubectl get pdb -A\`, then drain again.`,
    });
  }
  return findings;
}

function doneFinding(d: DrainData): Finding {
  const done = d.evicted.length + d.gone.length;
  return {
    id: 'kube.drain',
    severity: 'ok',
    title: `Node ${d.node} drained: ${done} of ${d.total} pod(s) evicted`,
    detail:
      `${d.evicted.length} evicted now, ${d.gone.length} already gone; ` +
      `${d.skipped.length} DaemonSet/static pod(s) left in place; ${d.cordoned ? 'cordoned by this drain' : 'was already cordoned'}.`,
  };
}

function failedFinding(d: DrainData): Finding {
  return {
    id: 'kube.drain.failed',
    severity: 'crit',
    title: `${d.failed.length} eviction(s) on ${d.node} failed`,
    detail: d.failed.map((f) => `${f.pod}: ${f.error}`).join('\n'),
    remedy:
      'A pod selected by more than one PodDisruptionBudget cannot be evicted: ' +
      '`kubectl get pdb -n <namespace> -o wide`, leave one budget per pod, then drain again.',
  };
}

/** Every finding about a finished (or stopped) drain. */
export function drainFindings(d: DrainData): Finding[] {
  const stopped = d.blocked.length > 0 || d.failed.length > 0;
  const findings = [
    ...(d.failed.length > 0 ? [failedFinding(d)] : []),
    ...(d.blocked.length > 0 ? blockedFindings(d) : []),
  ];
  if (!stopped) findings.push(doneFinding(d));
  if (stopped) {
    findings.push({
      id: 'kube.drain.partial',
      severity: 'info',
      title: `${d.evicted.length + d.gone.length} of ${d.total} pod(s) evicted before the drain stopped`,
      detail: `Node ${d.node} stays cordoned; nothing was deleted by force.`,
    });
  }
  if (d.unmanaged.length > 0) {
    findings.push({
      id: 'kube.drain.unmanaged',
      severity: 'warn',
      title: `${d.unmanaged.length} evicted pod(s) had no controller and will not come back`,
      detail: listSome(d.unmanaged),
    });
  }
  if (d.terminating.length > 0) {
    findings.push({
      id: 'kube.drain.terminating',
      severity: 'warn',
      title: `${d.terminating.length} evicted pod(s) are still terminating on ${d.node}`,
      detail: listSome(d.terminating),
      remedy: `kubectl get pods -A -o wide --field-selector spec.nodeName=${d.node}`,
    });
  }
  if (d.skipped.length > 0) {
    findings.push({
      id: 'kube.drain.skipped',
      severity: 'info',
      title: `${d.skipped.length} DaemonSet/static pod(s) stay on ${d.node}`,
      detail: listSome(
        d.skipped.map((s) => `${s.pod} (${s.class})`),
        12,
      ),
    });
  }
  return findings;
}
