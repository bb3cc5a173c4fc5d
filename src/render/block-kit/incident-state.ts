/**
 * The state line of an incident's root: the alert's state and its runbook's together.
 * "✔ Resolved" only when both are over; an alert resolved while steps still wait says
 * what waits and what stays broken until it is done. Durations carry seconds when
 * short, and after a reopen both the time since the reopen and the total.
 */
import type { IncidentView } from '../../domain/incident.js';
import type { OpenStep, RunStanding } from '../../domain/run-standing.js';
import { escapeMrkdwn } from './escape.js';
import { truncate } from './limits.js';
import { SIGN } from './verdict.js';

export interface IncidentState {
  /** The header's sign: ✔ only when the incident is over. */
  over: boolean;
  /** The bold state, e.g. `Resolved after 14 s`, `Alert resolved · 1 step still waiting: …`. */
  state: string;
  /** Lines for the root's context: what was not done, the final check. */
  notes: string[];
}

/** `14 s`, `3 min 20 s`, `42 min`, `5 h 3 min`, `3 days 4 h`. */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1_000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days ${h % 24} h`;
}

/** How long it has been going: since the reopen and in all, when it fired again. */
export function spanText(v: IncidentView, until: number): string {
  const total = durationText(until - v.firstFiringAt);
  if (!v.reopened || v.reopenedAt === undefined) return total;
  return `${durationText(until - v.reopenedAt)} (since it fired again; ${total} in all)`;
}

const esc = (s: string, max = 150) => escapeMrkdwn(truncate(s, max));

function openText(step: OpenStep): string {
  const how =
    step.status === 'waiting'
      ? step.kind === 'action'
        ? ' (waiting for approval)'
        : ' (waiting for Done)'
      : step.status === 'running'
        ? ' (running)'
        : '';
  return `${esc(step.title)}${how}${step.untilDone ? ` — ${esc(step.untilDone, 200)}` : ''}`;
}

/**
 * `1 step still waiting: Disarm … — etcd still refuses writes; then Check etcd again`:
 * the steps that need people first, counted; the checks that follow on their own after.
 */
export function openSummary(open: OpenStep[]): string {
  const people = open.filter((s) => s.kind !== 'diagnose');
  const checks = open.filter((s) => s.kind === 'diagnose');
  if (!people.length) return `still checking: ${checks.map(openText).join('; ')}`;
  const n = people.length;
  const word = people.every((s) => s.status === 'waiting') ? 'waiting' : 'to do';
  const then = checks.length ? `; then ${checks.map(openText).join('; ')}` : '';
  return `${n} step${n === 1 ? '' : 's'} still ${word}: ${people.map(openText).join('; ')}${then}`;
}

function runNotes(run: RunStanding | undefined): string[] {
  if (!run) return [];
  const notes: string[] = [];
  if (run.notDone.length)
    notes.push(
      `Not done: ${run.notDone.map((s) => `${esc(s.title)} (${esc(s.why, 200)})`).join('; ')}`,
    );
  if (run.finalCheck) {
    const { severity, title, summary } = run.finalCheck;
    notes.push(`Final check ${SIGN[severity]} ${esc(title)}: ${esc(summary, 300)}`);
  }
  return notes;
}

export function incidentState(v: IncidentView, now: number): IncidentState {
  const notes = runNotes(v.run);
  if (v.status === 'firing') {
    const state = v.reopened
      ? `Firing again (reopened ${v.reopened}×) · ${spanText(v, now)}`
      : 'Firing';
    const open = v.run?.open ?? [];
    return { over: false, state, notes: open.length ? [openSummary(open), ...notes] : notes };
  }
  const open = v.run?.open ?? [];
  if (open.length) return { over: false, state: `Alert resolved · ${openSummary(open)}`, notes };
  return { over: true, state: `Resolved after ${spanText(v, v.resolvedAt ?? now)}`, notes };
}
