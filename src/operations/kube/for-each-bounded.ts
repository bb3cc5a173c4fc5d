/**
 * `fn` over every item with at most `limit` calls in flight, items taken in order.
 * The first failure stops new calls from starting; the calls already in flight are
 * waited for (nothing is left running behind the caller), then that failure is thrown.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  const bound = Number.isFinite(limit) ? Math.floor(limit) : 1;
  const lanes = Math.min(Math.max(1, bound), items.length);
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure) throw failure.err;
}
