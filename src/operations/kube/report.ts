/** Small helpers the Kubernetes operations share: report assembly and call deadlines. */
import type { Finding, Report } from '../../domain/report.js';

/** Common input of every Kubernetes operation. */
export interface KubeOpInput {
  cluster: string;
  /** Bound of each API call, in ms. */
  timeoutMs: number;
}

/** A Report stamped with its finish time. */
export function kubeReport<T>(
  kind: string,
  cluster: string,
  startedAt: string,
  findings: Finding[],
  data: T,
): Report<T> {
  return { kind, cluster, startedAt, finishedAt: new Date().toISOString(), findings, data };
}

/** The deadline of one call started now (wall clock, as the client expects). */
export const callDeadline = (input: KubeOpInput): number => Date.now() + input.timeoutMs;

/** `ns/name`, as kubectl prints pods. */
export const podRef = (p: { namespace: string; name: string }): string =>
  `${p.namespace}/${p.name}`;

/** Up to `max` items joined with `, `, then `and N more`. */
export function listSome(items: readonly string[], max = 8): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
