/**
 * How many keys to ask for in the next page of a scan whose values arrive in full: about
 * PAGE_BYTES of values at the average size seen so far, at most `max` keys. Keeps each
 * page well under gRPC's 4 MiB message limit without asking for it twice.
 */
export const PAGE_BYTES = 2 * 2 ** 20;

export function nextPageLimit(bytes: number, keys: number, max: number): number {
  if (keys === 0) return max;
  const average = Math.max(1, bytes / keys);
  return Math.max(1, Math.min(max, Math.floor(PAGE_BYTES / average)));
}
