/**
 * Flag parsing for the CLI with node's parseArgs. The flags are checked first, token by
 * token, so every mistake is a USAGE error naming the flag, a suggestion and the usage
 * line (never parseArgs' own text); then the checked flags are parsed strictly for types.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../../domain/units.js';
import { QuorumError } from '../../domain/errors.js';
import { closest } from '../../domain/suggest.js';

export { closest } from '../../domain/suggest.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

/** `quorum etcd check` of `quorum etcd check [--cluster NAME] …`. */
function commandOf(usage: string): string {
  const words = usage.split(' ');
  const end = words.findIndex((w) => !/^[a-z][a-z-]*$/.test(w));
  return words.slice(0, end === -1 ? undefined : end).join(' ');
}

/** `--timeout 5s` when the usage line shows `[--timeout 5s]`, else `--timeout VALUE`. */
function exampleOf(flag: string, usage: string): string {
  const shown = new RegExp(`--${flag} ([^\\s\\]|]+)`).exec(usage);
  return `--${flag} ${shown?.[1] ?? 'VALUE'}`;
}

/** The flag `word` was probably meant to be: close in spelling, or the only one it begins. */
function suggestFlag(word: string, names: string[]): string | undefined {
  const near = closest(word, names, Math.max(1, Math.floor(word.length / 3)));
  if (near) return near;
  const starting = names.filter((n) => word.length >= 2 && n.startsWith(word));
  return starting.length === 1 ? starting[0] : undefined;
}

function unknownFlag(raw: string, options: Options, usage: string): QuorumError {
  const names = Object.keys(options);
  const guess = suggestFlag(raw.replace(/^-+/, ''), names);
  const known = names.length
    ? `${commandOf(usage)} takes ${names.map((n) => `--${n}`).join(', ')}.`
    : `${commandOf(usage)} takes no flags.`;
  return new QuorumError(
    'USAGE',
    `Unknown flag ${raw} for ${commandOf(usage)}.`,
    `${guess ? `Did you mean --${guess}?` : known}\nUsage: ${usage}`,
  );
}

/** The first mistake in one option token, or undefined when it is right. */
function checkToken(
  token: Extract<Token, { kind: 'option' }>,
  options: Options,
  usage: string,
): QuorumError | undefined {
  const def = options[token.name];
  const raw = token.rawName;
  const spelled = raw === `--${token.name}` || (def?.short && raw === `-${def.short}`);
  if (!def || !spelled) return unknownFlag(raw, options, usage);
  if (def.type === 'boolean' && token.value !== undefined)
    return new QuorumError(
      'USAGE',
      `${raw} takes no value.`,
      `Write just ${raw}.\nUsage: ${usage}`,
    );
  const missing = token.value === undefined || (!token.inlineValue && token.value.startsWith('--'));
  if (def.type === 'string' && (missing || token.value === ''))
    return new QuorumError(
      'USAGE',
      `${raw} needs a value.`,
      `Write e.g. ${exampleOf(token.name, usage)}.\nUsage: ${usage}`,
    );
  return undefined;
}

/** Checks every flag, then returns the args rewritten so the strict parse cannot fail. */
function checkedArgs(args: string[], options: Options, usage: string): string[] {
  const { tokens } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags: string[] = [];
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const error = checkToken(token, options, usage);
    if (error) throw error;
    flags.push(token.value === undefined ? `--${token.name}` : `--${token.name}=${token.value}`);
  }
  return [...flags, '--', ...positionals];
}

export function parseFlags<O extends Options>(args: string[], options: O, usage: string) {
  const checked = checkedArgs(args, options, usage);
  try {
    return parseArgs({ args: checked, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new QuorumError(
      'USAGE',
      (err as Error).message.split('\n')[0] ?? 'bad arguments',
      `Usage: ${usage}`,
    );
  }
}

/** A `--timeout 5s` style flag: milliseconds above zero, or undefined when absent. */
export function optionalDuration(
  value: string | undefined,
  flag: string,
  examples: readonly [string, string] = ['5s', '500ms'],
): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new QuorumError(
      'USAGE',
      `${flag} "${value}" is not a duration above zero.`,
      `Write e.g. ${flag} ${examples[0]} or ${flag} ${examples[1]} (units ms, s, m, h, d, w).`,
    );
  }
  return ms;
}

/** A `--timeout 5s` style flag; the default when absent. */
export function durationFlag(value: string | undefined, flag: string, fallback: number): number {
  return optionalDuration(value, flag) ?? fallback;
}

/** A command that takes no positional arguments: a USAGE error for the first one given. */
export function noPositionals(positionals: string[], usage: string): void {
  const [first] = positionals;
  if (first === undefined) return;
  const cluster = usage.includes('--cluster') ? `Name a cluster with --cluster ${first}.\n` : '';
  throw new QuorumError('USAGE', `Unexpected argument "${first}".`, `${cluster}Usage: ${usage}`);
}

/** The one positional argument a command needs, or a USAGE error naming it. */
export function requirePositional(positionals: string[], what: string, usage: string): string {
  const [first, ...rest] = positionals;
  if (!first) throw new QuorumError('USAGE', `Missing ${what}.`, `Usage: ${usage}`);
  if (rest.length)
    throw new QuorumError('USAGE', `Unexpected argument "${rest[0]}".`, `Usage: ${usage}`);
  return first;
}
