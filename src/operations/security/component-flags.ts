/**
 * A Kubernetes component's command line (a container's `command` then `args`, one word
 * each) read as pflag reads it: `--name=value`, `--name value`, a boolean alone
 * (`--profiling` is true) and repeated flags (the last wins). Each flag keeps the words
 * it was written as, so a remedy can name — and a sed can match — the exact lines.
 */

export interface ComponentFlag {
  /** Without the dashes: `profiling`. */
  name: string;
  /** `true` for a boolean written alone. */
  value: string;
  /** The command words as written: `['--profiling=true']` or `['--bind-address', '0.0.0.0']`. */
  words: string[];
}

export interface ComponentCommand {
  /** The first word when it is not a flag: `kube-apiserver`, `/usr/local/bin/kube-scheduler`. */
  binary?: string;
  /** By name; a repeated flag holds its last occurrence. */
  flags: ReadonlyMap<string, ComponentFlag>;
  /** Words that are neither a flag nor a flag's value (the components refuse them). */
  positional: string[];
}

/**
 * Booleans of kube-apiserver, kube-controller-manager and kube-scheduler that may be
 * written alone: pflag never takes the next word as their value (`--profiling false`
 * is `--profiling` and a stray `false`).
 */
const BOOLEANS = new Set([
  'allow-privileged',
  'anonymous-auth',
  'audit-log-compress',
  'contention-profiling',
  'enable-aggregator-routing',
  'enable-bootstrap-token-auth',
  'enable-dynamic-provisioning',
  'enable-garbage-collector',
  'enable-hostpath-provisioner',
  'enable-priority-and-fairness',
  'leader-elect',
  'logtostderr',
  'profiling',
  'service-account-lookup',
  'use-service-account-credentials',
]);

const isFlagWord = (w: string) => w.startsWith('-') && w !== '-';

/** Reads one flag at `words[i]`; returns it and how many words it took. */
function readFlag(words: readonly string[], i: number): { flag: ComponentFlag; used: number } {
  const word = words[i] as string;
  const body = word.replace(/^--?/, '');
  const eq = body.indexOf('=');
  if (eq !== -1) {
    return { flag: { name: body.slice(0, eq), value: body.slice(eq + 1), words: [word] }, used: 1 };
  }
  const next = words[i + 1];
  if (BOOLEANS.has(body) || next === undefined || isFlagWord(next)) {
    return { flag: { name: body, value: 'true', words: [word] }, used: 1 };
  }
  return { flag: { name: body, value: next, words: [word, next] }, used: 2 };
}

/** Parses the words of a component's command line; see the module comment. */
export function parseComponentCommand(words: readonly string[]): ComponentCommand {
  const flags = new Map<string, ComponentFlag>();
  const positional: string[] = [];
  const first = words[0];
  const binary = first !== undefined && !isFlagWord(first) ? first : undefined;
  let i = binary === undefined ? 0 : 1;
  while (i < words.length) {
    const word = words[i] as string;
    if (word === '--') {
      positional.push(...words.slice(i + 1));
      break;
    }
    if (!isFlagWord(word)) {
      positional.push(word);
      i += 1;
      continue;
    }
    const { flag, used } = readFlag(words, i);
    flags.delete(flag.name); // the last occurrence wins, and is listed last
    flags.set(flag.name, flag);
    i += used;
  }
  return { ...(binary === undefined ? {} : { binary }), flags, positional };
}

/** strconv.ParseBool, as pflag reads a boolean; undefined for anything else. */
export function parseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  return undefined;
}

/** A boolean flag's value: `fallback` (the component's default) when it is not set. */
export function boolFlag(
  cmd: ComponentCommand,
  name: string,
  fallback: boolean,
): boolean | undefined {
  const flag = cmd.flags.get(name);
  return flag ? parseBool(flag.value) : fallback;
}

/** A list flag (`Node,RBAC`) as its items; empty when not set. */
export function listFlag(cmd: ComponentCommand, name: string): string[] {
  const value = cmd.flags.get(name)?.value ?? '';
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The flag as one line of the manifest's list: `--profiling=true`. */
export const flagText = (flag: ComponentFlag) => flag.words.join(' ');
