import { describe, expect, it } from 'vitest';
import type { RunbookRun } from '../../src/domain/runbook-run.js';
import { runbookSchema, type Runbook } from '../../src/domain/runbook.js';
import { overdue, type OverdueBounds } from '../../src/operations/runbooks/overdue.js';
import {
  advance,
  newRun,
  runAbandoned,
  stepExpired,
  stepFinished,
} from '../../src/operations/runbooks/walk.js';

const MIN = 60_000;
const runbook: Runbook = runbookSchema.parse({
  id: 'rb',
  title: 'RB',
  steps: [
    { id: 'look', phase: 'assess', kind: 'diagnose', title: 'Look', job: 'etcd.check' },
    { id: 'fix', phase: 'recover', kind: 'action', title: 'Fix', job: 'etcd.defrag' },
    { id: 'hand', phase: 'recover', kind: 'manual', title: 'By hand' },
  ],
});
const bounds: OverdueBounds = {
  jobMs: () => 10 * MIN,
  approvalMs: () => 15 * MIN,
  idleMs: 2 * MIN,
  staleMs: 24 * 60 * MIN,
};
const start = () =>
  advance(
    newRun(runbook, {
      id: 'r1',
      cluster: 'c1',
      params: {},
      thread: { channel: 'C1' },
      startedBy: 'U0A',
      startedAt: 0,
    }),
    runbook,
    0,
  ).run;
const atFix = (): RunbookRun => {
  const looked = stepFinished(
    start(),
    runbook,
    'look',
    { ok: true, severity: 'ok', summary: 'fine' },
    MIN,
  )!;
  return advance(looked, runbook, MIN).run; // fix waits for its approval since 1 min
};
const pending = { state: 'pending' as const, expiresAt: 16 * MIN };

describe('what the runbook sweep finds overdue', () => {
  it('a running step: left alone within its job bound, no result past it', () => {
    expect(overdue(start(), runbook, {}, bounds, 10 * MIN)).toEqual([]);
    expect(overdue(start(), runbook, {}, bounds, 10 * MIN + 1)).toEqual([
      { type: 'no-result', step: 'look', boundMs: 10 * MIN },
    ]);
  });

  it('a waiting action: left alone while its approval is pending, ended when it expired or was never recorded', () => {
    const run = atFix();
    expect(overdue(run, runbook, { fix: pending }, bounds, 15 * MIN)).toEqual([]);
    const expired = { state: 'expired' as const, expiresAt: 16 * MIN };
    expect(overdue(run, runbook, { fix: expired }, bounds, 16 * MIN)).toEqual([
      { type: 'approval-expired', step: 'fix', at: 16 * MIN },
    ]);
    expect(overdue(run, runbook, {}, bounds, 16 * MIN)).toEqual([]);
    expect(overdue(run, runbook, {}, bounds, 16 * MIN + 1)).toEqual([
      { type: 'approval-expired', step: 'fix', at: 16 * MIN },
    ]);
  });

  it('a decision the run never heard of is told again', () => {
    const approved = { state: 'approved' as const, expiresAt: 16 * MIN, decidedBy: 'U0B' };
    expect(overdue(atFix(), runbook, { fix: approved }, bounds, 3 * MIN)).toEqual([
      { type: 'decided', step: 'fix', decision: 'approved', by: 'U0B' },
    ]);
  });

  it('nothing running or waiting: walked on after the idle bound; no change for a day: abandoned', () => {
    const looked = stepFinished(
      start(),
      runbook,
      'look',
      { ok: true, severity: 'ok', summary: 'x' },
      MIN,
    )!;
    expect(overdue(looked, runbook, {}, bounds, 3 * MIN - 1)).toEqual([]);
    expect(overdue(looked, runbook, {}, bounds, 3 * MIN)).toEqual([{ type: 'idle' }]);
    expect(overdue(looked, runbook, {}, bounds, MIN + bounds.staleMs)).toEqual([
      { type: 'stale', forMs: bounds.staleMs },
    ]);
  });

  it('a finished run is never overdue', () => {
    const over = advance(runAbandoned(atFix(), 'gone', 2 * MIN)!, runbook, 2 * MIN).run;
    expect(over.finishedAt).toBe(2 * MIN);
    expect(overdue(over, runbook, {}, bounds, 365 * 24 * 60 * MIN)).toEqual([]);
  });
});

describe('ending what waits', () => {
  it('an expired approval expires its step and stops the run; the walk then finishes it', () => {
    const expired = stepExpired(atFix(), runbook, 'fix', 'approval expired', 17 * MIN)!;
    expect(expired.steps.map((s) => s.status)).toEqual(['done', 'expired', 'skipped']);
    expect(expired.outcome).toBe('stopped');
    expect(stepExpired(expired, runbook, 'fix', 'again', 18 * MIN)).toBeUndefined();
    const walked = advance(expired, runbook, 17 * MIN);
    expect(walked.effects).toEqual([{ type: 'finished' }]);
  });

  it('an abandoned run expires what was open and skips the rest', () => {
    const abandoned = runAbandoned(start(), 'no progress', 5 * MIN)!;
    expect(abandoned.steps.map((s) => s.status)).toEqual(['expired', 'skipped', 'skipped']);
    expect(abandoned.timeline.at(-1)?.text).toBe('Runbook stopped: no progress');
  });
});
