/**
 * Which runbook answers an alert, and its parameters from the alert's labels (or
 * from `key=value` given by hand). Label values are untrusted: each must match its
 * parameter's pattern, or the runbook does not start and the thread says why.
 */
import { QuorumError } from '../../domain/errors.js';
import type { Runbook, RunbookParam } from '../../domain/runbook.js';

export type RunbookParams = Record<string, string>;

/** The first runbook whose alert names include the alert's and whose labels all equal. */
export function matchRunbook(
  runbooks: readonly Runbook[],
  labels: Record<string, string>,
): Runbook | undefined {
  const name = labels.alertname;
  if (!name) return undefined;
  return runbooks.find(
    (r) =>
      r.match.alertnames.includes(name) &&
      Object.entries(r.match.labels).every(([k, v]) => labels[k] === v),
  );
}

/** Parameters from labels (first `from` label set) overridden by `given`; checked against patterns. */
export function resolveParams(
  runbook: Runbook,
  labels: Record<string, string>,
  given: Record<string, string> = {},
): RunbookParams {
  const params: RunbookParams = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(runbook.params)) {
    const raw = given[name] ?? fromLabels(spec, labels);
    if (raw === undefined) {
      if (spec.required) problems.push(`${name} is missing (${hint(name, spec)})`);
      continue;
    }
    const value = spec.strip === 'port' ? raw.replace(/:\d+$/, '') : raw;
    if (!new RegExp(spec.pattern).test(value)) {
      problems.push(
        `${name}="${value.slice(0, 80)}" does not look right (must match ${spec.pattern})`,
      );
      continue;
    }
    params[name] = value;
  }
  for (const name of Object.keys(given)) {
    if (!(name in runbook.params)) problems.push(`${name} is not a parameter of ${runbook.id}`);
  }
  if (problems.length > 0) {
    throw new QuorumError(
      'RUNBOOK_UNKNOWN',
      `Runbook ${runbook.id} cannot start: ${problems.join('; ')}.`,
      `Give the parameters as key=value, e.g. /runbook run ${runbook.id} ${Object.keys(
        runbook.params,
      )
        .map((n) => `${n}=…`)
        .join(' ')}`.trim(),
    );
  }
  return params;
}

const fromLabels = (spec: RunbookParam, labels: Record<string, string>) =>
  spec.from.map((l) => labels[l]).find((v) => v !== undefined && v !== '');

const hint = (name: string, spec: RunbookParam) =>
  spec.from.length > 0 ? `no label ${spec.from.join(' or ')}; give ${name}=…` : `give ${name}=…`;

export { fill } from '../../domain/runbook.js';
