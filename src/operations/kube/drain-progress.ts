/**
 * Where a running drain stands, and the line that says so in its thread:
 * `evicted 37/120, 2 blocked by db-pdb, 1 by cache-pdb`.
 */

/** Pods whose latest eviction one budget refused. */
export interface BlockedGroup {
  /** As the API server named it in the 429; absent when it named none. */
  budget?: string;
  pods: number;
}

export interface DrainProgress {
  /** Evicted, or gone before their eviction. */
  done: number;
  /** Pods to evict. */
  total: number;
  /** Refused at their latest try (retried until the drain's limit): most pods first. */
  blocked: BlockedGroup[];
  /** Evictions the API server failed outright (not retried). */
  failed: number;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Groups the refused pods' budgets (`undefined`: none named): most pods first, then by name. */
export function blockedGroups(budgets: Iterable<string | undefined>): BlockedGroup[] {
  const counts = new Map<string | undefined, number>();
  for (const budget of budgets) counts.set(budget, (counts.get(budget) ?? 0) + 1);
  return [...counts]
    .map(([budget, pods]) => (budget === undefined ? { pods } : { budget, pods }))
    .sort((a, b) => b.pods - a.pods || byName(a.budget ?? '', b.budget ?? ''));
}

/** `evicted 37/120, 2 blocked by db-pdb, 1 by cache-pdb, 1 blocked (429, no budget named), 1 failed`. */
export function drainProgressText(p: DrainProgress): string {
  const parts = [`evicted ${p.done}/${p.total}`];
  const named = p.blocked.filter((g) => g.budget !== undefined);
  named.forEach((g, i) => parts.push(`${g.pods} ${i === 0 ? 'blocked ' : ''}by ${g.budget}`));
  const unnamed = p.blocked.find((g) => g.budget === undefined);
  if (unnamed) parts.push(`${unnamed.pods} blocked (429, no budget named)`);
  if (p.failed > 0) parts.push(`${p.failed} failed`);
  return parts.join(', ');
}
