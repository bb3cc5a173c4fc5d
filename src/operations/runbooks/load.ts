/**
 * The runbook catalogue: the built-in runbooks shipped in `runbooks/` and the extra
 * ones from the configured directory, each file parsed and checked at start. A bad
 * file stops the start with RUNBOOK_INVALID naming the file, the key and the fix.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { QuorumError } from '../../domain/errors.js';
import { runbookSchema, type Condition, type Runbook } from '../../domain/runbook.js';

/** What the loader needs to know of a job kind a step names (from the job catalogue). */
export type JobLookup = (name: string) => { destructive: boolean } | undefined;

/** `runbooks/` at the package root, found from this file whether it runs from src/ or dist/. */
export function builtinRunbookDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above the runbook loader');
    dir = up;
  }
  return path.join(dir, 'runbooks');
}

/** Built-in runbooks, then the extra directory's; an extra one may not reuse a built-in id. */
export function loadRunbooks(jobs: JobLookup, extraDir?: string): Runbook[] {
  const all = [...loadDir(builtinRunbookDir(), jobs), ...(extraDir ? loadDir(extraDir, jobs) : [])];
  const seen = new Map<string, string>();
  for (const r of all) {
    const where = (r as Runbook & { [FILE]?: string })[FILE] ?? r.id;
    const earlier = seen.get(r.id);
    if (earlier)
      throw invalid(
        where,
        `id "${r.id}" is already used by ${earlier}`,
        'give each runbook its own id',
      );
    seen.set(r.id, where);
  }
  return all;
}

const FILE = Symbol('file');

function loadDir(dir: string, jobs: JobLookup): Runbook[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort();
  } catch (err) {
    throw new QuorumError(
      'RUNBOOK_INVALID',
      `The runbook directory ${dir} cannot be read: ${(err as Error).message}`,
      'Point runbooks.dir in the config file at a readable directory of .yaml files.',
    );
  }
  return names.map((n) => loadFile(path.join(dir, n), jobs));
}

export function loadFile(file: string, jobs: JobLookup): Runbook {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw invalid(
      file,
      `not readable YAML: ${(err as Error).message.split('\n')[0]}`,
      'fix the YAML syntax',
    );
  }
  const parsed = runbookSchema.safeParse(doc);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const at = first?.path.map(String).join('.') || '(top level)';
    throw invalid(
      file,
      `${at}: ${first?.message ?? 'invalid'}`,
      'see runbooks/node-not-ready.yaml for a valid runbook',
    );
  }
  checkRunbook(parsed.data, jobs, file);
  return Object.assign(parsed.data, { [FILE]: file });
}

/** What the schema cannot see: step ids unique, jobs known and of the right kind, params defined. */
export function checkRunbook(r: Runbook, jobs: JobLookup, file: string): void {
  const ids = new Set<string>();
  r.steps.forEach((step, i) => {
    const at = `steps.${i} (${step.id})`;
    if (ids.has(step.id)) throw invalid(file, `${at}: id used twice`, 'give each step its own id');
    if (step.when) checkCondition(step.when, `${at}.when`, ids, r, file);
    ids.add(step.id);
    const texts = [step.title, step.explain ?? ''];
    if (step.kind === 'manual') texts.push(...step.commands);
    else {
      const kind = jobs(step.job);
      if (!kind)
        throw invalid(
          file,
          `${at}: unknown job "${step.job}"`,
          'use a job kind from docs/queue.md',
        );
      if (step.kind === 'diagnose' && kind.destructive)
        throw invalid(
          file,
          `${at}: "${step.job}" changes the cluster, so it cannot be a diagnose step`,
          'make it an action step (it then waits for approval)',
        );
      if (step.kind === 'action' && !kind.destructive)
        throw invalid(
          file,
          `${at}: "${step.job}" only reads, so it is not an action`,
          'make it a diagnose step',
        );
      texts.push(...Object.values(step.with).map(String));
    }
    for (const name of texts.flatMap(placeholders)) {
      if (!(name in r.params))
        throw invalid(
          file,
          `${at}: {{${name}}} is not a parameter of this runbook`,
          `declare it under params, e.g. params: { ${name}: { from: [${name}] } }`,
        );
    }
  });
}

/** A condition's `step:` must name a step before its own (a condition reads earlier steps). */
function checkCondition(
  c: Condition,
  at: string,
  earlier: ReadonlySet<string>,
  r: Runbook,
  file: string,
): void {
  if ('any' in c || 'all' in c) {
    const key = 'any' in c ? 'any' : 'all';
    ('any' in c ? c.any : c.all).forEach((child, i) =>
      checkCondition(child, `${at}.${key}.${i}`, earlier, r, file),
    );
    return;
  }
  if (c.step === undefined || earlier.has(c.step)) return;
  const known = r.steps.some((s) => s.id === c.step);
  throw invalid(
    file,
    known
      ? `${at}.step: "${c.step}" is not an earlier step (a condition reads what the steps before it found)`
      : `${at}.step: there is no step "${c.step}"`,
    `name one of the steps before it${earlier.size ? ` (${[...earlier].join(', ')})` : ''}, or leave step out to read every earlier step`,
  );
}

export const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{\{\s*([a-zA-Z0-9]+)\s*\}\}/g)].map((m) => m[1] as string);

const invalid = (file: string, problem: string, fix: string) =>
  new QuorumError('RUNBOOK_INVALID', `Runbook ${file}: ${problem}.`, `Fix: ${fix}.`);

export function findRunbook(runbooks: readonly Runbook[], id: string): Runbook {
  const found = runbooks.find((r) => r.id === id);
  if (!found)
    throw new QuorumError(
      'RUNBOOK_UNKNOWN',
      `There is no runbook "${id}".`,
      `Use one of: ${runbooks.map((r) => r.id).join(', ')}.`,
    );
  return found;
}
