/** Small text helpers for findings. */

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const MAX_LINES = 20;

/** One item a line, at most 20, then how many more. */
export function lines(items: readonly string[]): string {
  const shown = items.slice(0, MAX_LINES);
  const more = items.length - shown.length;
  return [...shown, ...(more > 0 ? [`… and ${more} more`] : [])].join('\n');
}
