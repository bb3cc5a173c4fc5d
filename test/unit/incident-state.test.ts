/** The incident root's state line: alert and runbook together, durations an on-call reads. */
import { describe, expect, it } from 'vitest';
import type { IncidentView } from '../../src/domain/incident.js';
import type { RunStanding } from '../../src/domain/run-standing.js';
import { durationText, incidentState } from '../../src/render/block-kit/incident-state.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const view = (over: Partial<IncidentView>): IncidentView => ({
  status: 'firing',
  commonLabels: {},
  commonAnnotations: {},
  truncatedAlerts: 0,
  firstFiringAt: T0,
  alerts: [],
  ...over,
});
const waitingDisarm: RunStanding = {
  finished: false,
  open: [
    {
      title: 'Disarm the NOSPACE alarm',
      status: 'waiting',
      kind: 'action',
      untilDone: 'etcd still refuses writes',
    },
  ],
  notDone: [],
};

describe('durations', () => {
  it('carry seconds when short and drop them when long', () => {
    expect(durationText(14_000)).toBe('14 s');
    expect(durationText(200_000)).toBe('3 min 20 s');
    expect(durationText(42 * 60_000 + 5_000)).toBe('42 min');
    expect(durationText(5 * 3_600_000 + 3 * 60_000)).toBe('5 h 3 min');
  });

  it('after a reopen, the time since the reopen and the total', () => {
    const v = view({ reopened: 1, reopenedAt: T0 + 600_000 });
    expect(incidentState(v, T0 + 640_000).state).toBe(
      'Firing again (reopened 1×) · 40 s (since it fired again; 10 min in all)',
    );
    const resolved = view({ ...v, status: 'resolved', resolvedAt: T0 + 615_000 });
    expect(incidentState(resolved, T0 + 700_000).state).toBe(
      'Resolved after 15 s (since it fired again; 10 min in all)',
    );
  });
});

describe('the state of an incident with a runbook', () => {
  it('a resolved alert with an action still waiting is not over, and says what stays broken', () => {
    const s = incidentState(
      view({ status: 'resolved', resolvedAt: T0 + 14_000, run: waitingDisarm }),
      T0 + 20_000,
    );
    expect(s.over).toBe(false);
    expect(s.state).toBe(
      'Alert resolved · 1 step still waiting: Disarm the NOSPACE alarm (waiting for approval) — etcd still refuses writes',
    );
  });

  it('resolved when both are over, naming what was not done and the final check', () => {
    const run: RunStanding = {
      finished: true,
      open: [],
      notDone: [{ title: 'Disarm the NOSPACE alarm', why: 'rejected by <@U0BOB>' }],
      finalCheck: { title: 'Check etcd again', severity: 'ok', summary: 'No alarms' },
    };
    const s = incidentState(view({ status: 'resolved', resolvedAt: T0 + 14_000, run }), T0);
    expect(s.over).toBe(true);
    expect(s.state).toBe('Resolved after 14 s');
    expect(s.notes).toEqual([
      'Not done: Disarm the NOSPACE alarm (rejected by &lt;@U0BOB&gt;)',
      'Final check ✔ Check etcd again: No alarms',
    ]);
  });

  it('a final check still running keeps it open', () => {
    const run: RunStanding = {
      finished: false,
      open: [{ title: 'Check etcd again', status: 'running', kind: 'diagnose' }],
      notDone: [],
    };
    const s = incidentState(view({ status: 'resolved', resolvedAt: T0, run }), T0);
    expect(s.over).toBe(false);
    expect(s.state).toBe('Alert resolved · still checking: Check etcd again (running)');
  });
});
