/**
 * A step's `when:` against what the earlier steps of its run found: true, false (with
 * the reason the thread shows), or unknown — the evidence was not observed (a step
 * failed or did not run, a metric is absent), and then the step is not skipped: a
 * condition never skips on missing evidence. Pure.
 */
import type { Severity } from '../../domain/report.js';
import type { RunbookRun, StepState } from '../../domain/runbook-run.js';
import type { Condition, Runbook } from '../../domain/runbook.js';

export type Verdict =
  { result: 'true' } | { result: 'false'; reason: string } | { result: 'unknown'; reason: string };

const RANK: Record<Severity, number> = { ok: 0, info: 1, warn: 2, crit: 3 };

interface Scope {
  run: RunbookRun;
  runbook: Runbook;
  /** The index of the step whose condition this is: only steps before it are read. */
  at: number;
}

/** Whether `condition` holds for the step at index `at`, given what the earlier steps found. */
export function evaluateCondition(
  condition: Condition,
  run: RunbookRun,
  runbook: Runbook,
  at: number,
): Verdict {
  return evaluate(condition, { run, runbook, at });
}

function evaluate(c: Condition, s: Scope): Verdict {
  if ('any' in c || 'all' in c) return combine(c, s);
  const verdict = 'finding' in c ? findingVerdict(c, s) : metricVerdict(c, s);
  if (verdict.result !== 'false' || c.otherwise === undefined) return verdict;
  return { result: 'false', reason: fillReason(c.otherwise, s, valueOf(c, s)) };
}

function combine(c: Extract<Condition, { any: unknown } | { all: unknown }>, s: Scope): Verdict {
  const any = 'any' in c;
  const parts = (any ? c.any : c.all).map((child) => evaluate(child, s));
  const reasons = (result: 'false' | 'unknown') =>
    parts.flatMap((p) => (p.result !== 'true' && p.result === result ? [p.reason] : [])).join(', ');
  const decided = any
    ? parts.some((p) => p.result === 'true')
    : parts.some((p) => p.result === 'false');
  if (decided) {
    if (any) return { result: 'true' };
    return { result: 'false', reason: own(c, s) ?? reasons('false') };
  }
  if (parts.some((p) => p.result === 'unknown'))
    return { result: 'unknown', reason: reasons('unknown') };
  return any ? { result: 'false', reason: own(c, s) ?? reasons('false') } : { result: 'true' };
}

const own = (c: Condition, s: Scope) =>
  c.otherwise === undefined ? undefined : fillReason(c.otherwise, s, '');

/** The earlier steps a condition reads: the one it names, or every step before it. */
function inScope(s: Scope, step?: string): { state: StepState; diagnose: boolean }[] {
  return s.runbook.steps.slice(0, s.at).flatMap((def, i) => {
    const state = s.run.steps[i];
    if (!state || (step !== undefined && def.id !== step)) return [];
    return [{ state, diagnose: def.kind === 'diagnose' || step !== undefined }];
  });
}

const observed = (state: StepState) => state.status === 'done' && state.findings !== undefined;

function findingVerdict(c: Extract<Condition, { finding: string }>, s: Scope): Verdict {
  const steps = inScope(s, c.step);
  const passes = (sev: Severity) =>
    c.severityAtLeast ? RANK[sev] >= RANK[c.severityAtLeast] : sev !== 'ok';
  const found = steps.some(
    ({ state }) =>
      observed(state) && state.findings!.some((f) => f.id === c.finding && passes(f.severity)),
  );
  if (found) return { result: 'true' };
  const blind = steps.filter(({ state, diagnose }) => diagnose && !observed(state));
  if (blind.length || steps.length === 0) {
    const which = blind.map(({ state }) => `${state.id} ${state.status}`).join(', ');
    return {
      result: 'unknown',
      reason: `${c.finding} not observed${which ? ` (${which})` : ''}`,
    };
  }
  const present = latestFinding(s, c.finding, c.step);
  const reason = present
    ? `${c.finding} is ${present.severity}${c.severityAtLeast ? `, below ${c.severityAtLeast}` : ''}`
    : `no ${c.finding} finding`;
  return { result: 'false', reason };
}

function metricVerdict(c: Extract<Condition, { metric: string }>, s: Scope): Verdict {
  const value = latestMetric(s, c.metric, c.step);
  if (value === undefined)
    return {
      result: 'unknown',
      reason: `${c.metric} was not observed${c.step ? ` by step ${c.step}` : ''}`,
    };
  if (value > c.over) return { result: 'true' };
  return {
    result: 'false',
    reason: `${c.metric} at ${formatValue(value)}, not over ${formatValue(c.over)}`,
  };
}

function latestFinding(s: Scope, id: string, step?: string) {
  const steps = inScope(s, step).reverse();
  for (const { state } of steps) {
    const f = state.findings?.find((x) => x.id === id);
    if (f) return f;
  }
  return undefined;
}

/** The value the latest earlier step (in scope) that observed it found. */
function latestMetric(s: Scope, name: string, step?: string): number | undefined {
  for (const { state } of inScope(s, step).reverse()) {
    const v = state.status === 'done' ? state.metrics?.[name] : undefined;
    if (v !== undefined) return v;
  }
  return undefined;
}

/** `{value}`: what the condition looked at (a metric's number, a finding's severity). */
function valueOf(c: Condition, s: Scope): string {
  if ('metric' in c) {
    const v = latestMetric(s, c.metric, c.step);
    return v === undefined ? 'unknown' : formatValue(v);
  }
  if ('finding' in c) return latestFinding(s, c.finding, c.step)?.severity ?? 'absent';
  return '';
}

/** `{value}`, and `{some.metric}` with the latest earlier value of that metric. */
function fillReason(text: string, s: Scope, value: string): string {
  return text.replace(/\{([a-z][a-z0-9._-]*)\}/g, (whole, name: string) => {
    if (name === 'value') return value;
    const v = latestMetric(s, name);
    return v === undefined ? whole : formatValue(v);
  });
}

/** `0.0`, `42.5`, `3`: one decimal unless whole. */
export const formatValue = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
