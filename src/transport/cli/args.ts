/** Flag parsing for the CLI with node's parseArgs, turning its errors into USAGE errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../../config/units.js';
import { QuorumError } from '../../domain/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new QuorumError(
      'USAGE',
      (err as Error).message.split('\n')[0] ?? 'bad arguments',
      `Usage: ${usage}`,
    );
  }
}

/** A `--timeout 5s` style flag; the default when absent. */
export function durationFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new QuorumError(
      'USAGE',
      `${flag} "${value}" is not a duration.`,
      `Write e.g. ${flag} 5s (ms, s, m, h).`,
    );
  }
  return ms;
}

/** The closest of `candidates` to `word` (edit distance ≤ 3), for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d <= 3 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(
        cur + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = cur;
    }
  }
  return row[b.length] as number;
}

/** The one positional argument a command needs, or a USAGE error naming it. */
export function requirePositional(positionals: string[], what: string, usage: string): string {
  const [first, ...rest] = positionals;
  if (!first) throw new QuorumError('USAGE', `Missing ${what}.`, `Usage: ${usage}`);
  if (rest.length)
    throw new QuorumError('USAGE', `Unexpected argument "${rest[0]}".`, `Usage: ${usage}`);
  return first;
}
