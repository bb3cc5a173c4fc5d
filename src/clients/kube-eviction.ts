/**
 * What a policy/v1 Eviction request came to. 201: evicted; 404: the pod is gone;
 * 429: refused, and the API server's Status names the budget in a cause, e.g.
 * `details.causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget
 * db-pdb needs 2 healthy pods and has 2 currently' }]` (or `… db-pdb is still being
 * processed by the server.`). The name is read defensively: anything else, no name.
 */
import { ApiException } from '@kubernetes/client-node';
import type { EvictionBlocked, EvictionResult } from '../domain/kube.js';

/** A DNS subdomain name, as Kubernetes allows for a PodDisruptionBudget. */
const BUDGET = /^The disruption budget ([a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?)(?:\s|$)/;

interface Cause {
  reason?: unknown;
  message?: unknown;
}

function causesOf(body: unknown): Cause[] {
  let status: unknown = body;
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body) as unknown;
    } catch {
      return [];
    }
  }
  const causes = (status as { details?: { causes?: unknown } } | null)?.details?.causes;
  return Array.isArray(causes) ? (causes.filter((c) => typeof c === 'object' && c) as Cause[]) : [];
}

/** The budget a 429's Status names, when it names one. */
export function refusingBudget(body: unknown): string | undefined {
  for (const cause of causesOf(body)) {
    if (cause.reason !== 'DisruptionBudget' || typeof cause.message !== 'string') continue;
    const name = BUDGET.exec(cause.message)?.[1];
    if (name) return name;
  }
  return undefined;
}

/** Awaits the eviction request and says what it came to; other failures are rethrown. */
export async function evictionOutcome(request: Promise<unknown>): Promise<EvictionResult> {
  try {
    await request;
    return 'evicted';
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    if (err.code === 404) return 'gone';
    if (err.code !== 429) throw err;
    const budget = refusingBudget(err.body);
    const blocked: EvictionBlocked = budget
      ? { outcome: 'blocked', budget }
      : { outcome: 'blocked' };
    return blocked;
  }
}
