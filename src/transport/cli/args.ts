/** Flag parsing for the CLI with node's parseArgs, turning its errors into USAGE errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../../config/units.js';
import { QuorumError } from '../../domain/errors.js';

export { closest } from '../../domain/suggest.js';

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

/** The one positional argument a command needs, or a USAGE error naming it. */
export function requirePositional(positionals: string[], what: string, usage: string): string {
  const [first, ...rest] = positionals;
  if (!first) throw new QuorumError('USAGE', `Missing ${what}.`, `Usage: ${usage}`);
  if (rest.length)
    throw new QuorumError('USAGE', `Unexpected argument "${rest[0]}".`, `Usage: ${usage}`);
  return first;
}
