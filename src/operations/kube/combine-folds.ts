/**
 * Several folds as one (domain/kube.ts ListFold), so one paged list feeds them all: each
 * keeps its own accumulator, and a restarted list (an expired continue token) restarts all.
 */
import type { ListFold } from '../../domain/kube.js';

type Accumulators<F> = { [K in keyof F]: F[K] extends ListFold<never, infer A> ? A : never };

export function combineFolds<T, F extends Record<string, ListFold<T, unknown>>>(
  folds: F,
): ListFold<T, Accumulators<F>> {
  const entries = Object.entries(folds);
  return {
    start: () =>
      Object.fromEntries(entries.map(([k, fold]) => [k, fold.start()])) as Accumulators<F>,
    add(acc, item) {
      const accs = acc as Record<string, unknown>;
      for (const [k, fold] of entries) fold.add(accs[k], item);
    },
  };
}

/** Counts what it is given. */
export const countFold: ListFold<unknown, { n: number }> = {
  start: () => ({ n: 0 }),
  add: (acc) => void (acc.n += 1),
};
