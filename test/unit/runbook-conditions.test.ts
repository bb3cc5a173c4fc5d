/**
 * Runbook steps that follow the evidence: `when:` validated at load, evaluated against
 * what earlier steps found (true, false with the reason, unknown when not observed),
 * and the walk skipping a step whose condition is false — never one whose evidence is
 * missing. With the built-in NOSPACE runbook on a healthy cluster's findings.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { outcomeOfReport } from '../../src/app/runbooks/outcome.js';
import type { Report } from '../../src/domain/report.js';
import type { RunbookRun } from '../../src/domain/runbook-run.js';
import type { Runbook } from '../../src/domain/runbook.js';
import { evaluateCondition } from '../../src/operations/runbooks/conditions.js';
import { findRunbook, loadRunbooks } from '../../src/operations/runbooks/load.js';
import {
  advance,
  newRun,
  stepFinished,
  type StepOutcome,
} from '../../src/operations/runbooks/walk.js';
import { checkMetrics } from '../../src/operations/etcd/rules/metrics.js';
import type { CheckFacts } from '../../src/operations/etcd/check-rules.js';
import {
  checklistMessage,
  postMortemMessage,
  skippedStepMessage,
} from '../../src/render/block-kit/runbook.js';
import { findJobKind } from '../../src/transport/queue/catalogue.js';

const loadExtra = async (steps: string) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quorum-when-'));
  await writeFile(
    path.join(dir, 'bad.yaml'),
    `id: extra\ntitle: Extra\nmatch: { alertnames: [Extra] }\nsteps:\n${steps}`,
  );
  return () => loadRunbooks(findJobKind, dir);
};

const CHECK = '  - { id: check, phase: detect, kind: diagnose, title: Check, job: etcd.check }\n';
const COMPACT = (when: string) =>
  `  - { id: compact, phase: recover, kind: action, title: Compact, job: etcd.compact, when: ${when} }\n`;

describe('when: at load', () => {
  it.each([
    [
      'a step that does not exist',
      CHECK + COMPACT('{ finding: etcd.alarm.nospace, step: alrams }'),
      /steps\.1 \(compact\)\.when\.step: there is no step "alrams"[\s\S]*Fix: name one of the steps before it \(check\)/,
    ],
    [
      'a step that is not earlier',
      COMPACT('{ finding: etcd.alarm.nospace, step: check }') + CHECK,
      /steps\.0 \(compact\)\.when\.step: "check" is not an earlier step/,
    ],
    [
      'a nested bad step',
      CHECK +
        COMPACT(
          '{ any: [{ metric: etcd.db.quota.percent, over: 80 }, { finding: x, step: nope }] }',
        ),
      /when\.any\.1\.step: there is no step "nope"/,
    ],
    [
      'a bad severity',
      CHECK + COMPACT('{ finding: etcd.db.quota, severityAtLeast: high }'),
      /steps\.1\.when\.severityAtLeast: must be one of ok, info, warn, crit/,
    ],
    [
      'a metric without a threshold',
      CHECK + COMPACT('{ metric: etcd.db.quota.percent }'),
      /steps\.1\.when\.over: is required with metric/,
    ],
    [
      'neither a finding nor a metric',
      CHECK + COMPACT('{ otherwise: why }'),
      /steps\.1\.when: needs exactly one of finding, metric, any, all/,
    ],
    ['an unknown key', CHECK + COMPACT('{ finding: x, below: 3 }'), /steps\.1\.when/],
  ])('refuses %s with RUNBOOK_INVALID naming the file, key and fix', async (_, steps, message) => {
    const load = await loadExtra(steps);
    let error: unknown;
    try {
      load();
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'RUNBOOK_INVALID' });
    const { message: said, hint } = error as Error & { hint?: string };
    expect(`${said} ${hint ?? ''}`).toMatch(message);
    expect(said).toContain('bad.yaml');
  });

  it('loads the built-in runbooks with their conditions and the disarm step untilDone', () => {
    const quota = findRunbook(loadRunbooks(findJobKind), 'etcd-quota-low-space');
    const disarm = quota.steps.find((s) => s.id === 'disarm');
    expect(disarm).toMatchObject({
      untilDone: 'etcd still refuses writes',
      when: { finding: 'etcd.alarm.nospace', step: 'alarms' },
    });
    expect(quota.steps.find((s) => s.id === 'compact')?.when).toBeDefined();
    expect(quota.steps.find((s) => s.id === 'defrag')?.when).toBeDefined();
  });
});

const QUOTA = findRunbook(loadRunbooks(findJobKind), 'etcd-quota-low-space');

const report = (kind: string, findings: Report['findings'], metrics?: Report['metrics']) =>
  ({
    kind,
    cluster: 'prod',
    startedAt: '',
    finishedAt: '',
    findings,
    metrics,
    data: {},
  }) satisfies Report;

const HEALTHY_CHECK = report(
  'etcd.check',
  [
    { id: 'etcd.quorum', severity: 'ok', title: 'Quorum' },
    { id: 'etcd.alarms', severity: 'ok', title: 'No alarms' },
    {
      id: 'etcd.db.quota',
      severity: 'ok',
      title: 'Database size at 0.0 % of the quota',
      detail: 'm0: 20 KiB of 2 GiB',
      remedy: 'nothing',
    },
  ],
  { 'etcd.db.quota.percent': 0.0011, 'etcd.db.fragmented.percent': 12, 'etcd.alarms.count': 0 },
);
const NO_ALARMS = report('etcd.alarms', [
  { id: 'etcd.alarms', severity: 'ok', title: 'No alarms' },
]);
const NOSPACE = report('etcd.alarms', [
  { id: 'etcd.alarm.nospace', severity: 'crit', title: 'Alarm NOSPACE on member 1' },
]);
const SNAPSHOT = report('etcd.snapshot', [{ id: 'etcd.snapshot', severity: 'ok', title: 'ok' }]);

/** The quota runbook with its three diagnoses ended as given, walked up to its actions. */
function diagnosed(outcomes: Record<'check' | 'alarms' | 'snapshot', StepOutcome>) {
  let run: RunbookRun = newRun(QUOTA, {
    id: 'r1',
    cluster: 'prod',
    params: {},
    thread: { channel: 'C1', ref: 'x' },
    startedBy: 'alertmanager',
    startedAt: 0,
  });
  run = advance(run, QUOTA, 1).run;
  for (const [step, outcome] of Object.entries(outcomes))
    run = stepFinished(run, QUOTA, step, outcome, 2)!;
  return run;
}

describe('conditions against earlier steps', () => {
  const compact = QUOTA.steps.find((s) => s.id === 'compact')!.when!;
  const disarm = QUOTA.steps.find((s) => s.id === 'disarm')!.when!;
  const at = (id: string) => QUOTA.steps.findIndex((s) => s.id === id);

  it('false on a healthy cluster, with the reason the thread shows', () => {
    const run = diagnosed({
      check: outcomeOfReport(HEALTHY_CHECK),
      alarms: outcomeOfReport(NO_ALARMS),
      snapshot: outcomeOfReport(SNAPSHOT),
    });
    expect(evaluateCondition(compact, run, QUOTA, at('compact'))).toEqual({
      result: 'false',
      reason: 'no NOSPACE alarm, database at 0.0 % of quota',
    });
  });

  it('true with a NOSPACE alarm, or with the quota at warn', () => {
    const alarmed = diagnosed({
      check: outcomeOfReport(HEALTHY_CHECK),
      alarms: outcomeOfReport(NOSPACE),
      snapshot: outcomeOfReport(SNAPSHOT),
    });
    expect(evaluateCondition(compact, alarmed, QUOTA, at('compact')).result).toBe('true');
    expect(evaluateCondition(disarm, alarmed, QUOTA, at('disarm')).result).toBe('true');
    const full = report('etcd.check', [
      { id: 'etcd.db.quota', severity: 'warn', title: 'Database size at 85.0 % of the quota' },
    ]);
    const filling = diagnosed({
      check: outcomeOfReport(full),
      alarms: outcomeOfReport(NO_ALARMS),
      snapshot: outcomeOfReport(SNAPSHOT),
    });
    expect(evaluateCondition(compact, filling, QUOTA, at('compact')).result).toBe('true');
    expect(evaluateCondition(disarm, filling, QUOTA, at('disarm')).result).toBe('false');
  });

  it('unknown when the evidence was not observed: the step it reads failed, a metric is absent', () => {
    const blind = diagnosed({
      check: outcomeOfReport(HEALTHY_CHECK),
      alarms: { ok: false, reason: 'timed out' },
      snapshot: outcomeOfReport(SNAPSHOT),
    });
    expect(evaluateCondition(disarm, blind, QUOTA, at('disarm'))).toEqual({
      result: 'unknown',
      reason: 'etcd.alarm.nospace not observed (alarms failed)',
    });
    // any(unknown, false) is unknown: nothing rules the alarm out
    expect(evaluateCondition(compact, blind, QUOTA, at('compact')).result).toBe('unknown');
    expect(
      evaluateCondition({ metric: 'etcd.members.count', over: 2 }, blind, QUOTA, at('compact')),
    ).toEqual({ result: 'unknown', reason: 'etcd.members.count was not observed' });
  });

  it('metrics: over a threshold, from the latest earlier step that observed it, or the named one', () => {
    const run = diagnosed({
      check: outcomeOfReport(HEALTHY_CHECK),
      alarms: outcomeOfReport(NO_ALARMS),
      snapshot: outcomeOfReport(SNAPSHOT),
    });
    const i = at('compact');
    expect(
      evaluateCondition({ metric: 'etcd.db.fragmented.percent', over: 10 }, run, QUOTA, i),
    ).toEqual({ result: 'true' });
    expect(
      evaluateCondition(
        { metric: 'etcd.db.fragmented.percent', over: 50, otherwise: '{value} % reclaimable' },
        run,
        QUOTA,
        i,
      ),
    ).toEqual({ result: 'false', reason: '12 % reclaimable' });
    expect(
      evaluateCondition({ metric: 'etcd.alarms.count', over: 0, step: 'alarms' }, run, QUOTA, i),
    ).toEqual({ result: 'unknown', reason: 'etcd.alarms.count was not observed by step alarms' });
    expect(
      evaluateCondition(
        { all: [{ metric: 'etcd.alarms.count', over: -1 }, { finding: 'etcd.alarms' }] },
        run,
        QUOTA,
        i,
      ),
    ).toEqual({ result: 'false', reason: 'etcd.alarms is ok' });
    expect(
      evaluateCondition({ finding: 'etcd.alarms', severityAtLeast: 'ok' }, run, QUOTA, i).result,
    ).toBe('true');
  });
});

describe('walking steps with conditions', () => {
  it('skips compact, defrag and disarm on a healthy cluster, says why, and goes on to the recheck', () => {
    const run = diagnosed({
      check: outcomeOfReport(HEALTHY_CHECK),
      alarms: outcomeOfReport(NO_ALARMS),
      snapshot: outcomeOfReport(SNAPSHOT),
    });
    const walked = advance(run, QUOTA, 3);
    expect(walked.effects.map((e) => `${e.type}:${'step' in e ? e.step.id : ''}`)).toEqual([
      'skipped:compact',
      'skipped:defrag',
      'skipped:disarm',
      'run:recheck',
    ]);
    const compact = walked.run.steps.find((s) => s.id === 'compact')!;
    expect(compact).toMatchObject({
      status: 'skipped',
      skippedBy: 'condition',
      summary: 'skipped: no NOSPACE alarm, database at 0.0 % of quota',
    });
    expect(walked.run.steps.find((s) => s.id === 'disarm')?.summary).toBe(
      'skipped: no NOSPACE alarm raised',
    );
    expect(walked.run.timeline.map((t) => t.text)).toContain(
      'Compact the key history to the current revision: skipped: no NOSPACE alarm, database at 0.0 % of quota',
    );
    // What the check found is kept small: ids, severities, titles; no detail or remedy.
    const check = walked.run.steps.find((s) => s.id === 'check')!;
    expect(check.findings).toContainEqual({
      id: 'etcd.db.quota',
      severity: 'ok',
      title: 'Database size at 0.0 % of the quota',
    });
    expect(check.metrics).toMatchObject({ 'etcd.db.quota.percent': 0.0011 });
  });

  it('asks for approval as today when the evidence is missing, noting why in the timeline', () => {
    const run = diagnosed({
      check: { ok: false, reason: 'no etcd member answered from here' },
      alarms: { ok: false, reason: 'timed out' },
      snapshot: outcomeOfReport(SNAPSHOT),
    });
    const walked = advance(run, QUOTA, 3);
    expect(walked.effects.map((e) => e.type)).toEqual(['approve']);
    expect(walked.run.steps.find((s) => s.id === 'compact')?.status).toBe('waiting');
    expect(walked.run.timeline.map((t) => t.text).join('\n')).toMatch(
      /Compact the key history to the current revision: condition could not be evaluated: etcd\.alarm\.nospace not observed \(alarms failed\)/,
    );
  });

  it('evaluates a condition only when every earlier step is over', () => {
    const book: Runbook = {
      ...QUOTA,
      steps: [
        QUOTA.steps[0]!,
        { ...QUOTA.steps[1]!, when: { finding: 'etcd.db.quota', step: 'check' } },
      ],
    };
    let run = newRun(book, {
      id: 'r2',
      cluster: 'prod',
      params: {},
      thread: { channel: 'C1', ref: 'x' },
      startedBy: 'U0BOB',
      startedAt: 0,
    });
    const first = advance(run, book, 1);
    expect(first.effects.map((e) => e.type)).toEqual(['run']); // the second waits for the check
    run = stepFinished(first.run, book, 'check', outcomeOfReport(HEALTHY_CHECK), 2)!;
    const end = advance(run, book, 3);
    expect(end.effects.map((e) => e.type)).toEqual(['skipped', 'finished']);
    expect(end.run.steps[1]?.summary).toBe('skipped: etcd.db.quota is ok');
    expect(end.run.outcome).toBe('completed');
  });
});

describe('evidence from the etcd check', () => {
  const facts = (alarms?: []) =>
    ({
      probes: [
        { status: { dbSize: 1000, dbSizeInUse: 900 } },
        { status: { dbSize: 4000, dbSizeInUse: 1000 } },
        { status: undefined },
      ],
      view: { alarms },
      quota: { bytes: 10_000, source: 'config' },
    }) as unknown as CheckFacts;

  it('the worst member against the quota, the worst reclaimable share, the alarms only when read', () => {
    expect(checkMetrics(facts([]))).toEqual({
      'etcd.db.quota.percent': 40,
      'etcd.db.fragmented.percent': 75,
      'etcd.alarms.count': 0,
    });
    expect(checkMetrics(facts())).not.toHaveProperty('etcd.alarms.count');
  });
});

describe('the thread', () => {
  const run = (): RunbookRun => {
    const r = diagnosed({
      check: outcomeOfReport(HEALTHY_CHECK),
      alarms: outcomeOfReport(NO_ALARMS),
      snapshot: outcomeOfReport(SNAPSHOT),
    });
    return advance(r, QUOTA, 3).run;
  };

  it('a skipped step says why and offers Run anyway', () => {
    const step = QUOTA.steps[3]!;
    const m = skippedStepMessage(run(), step, 'no NOSPACE alarm, database at 0.0 % of quota', 4, 8);
    const json = JSON.stringify(m.blocks);
    expect(json).toContain('Step 4/8');
    expect(json).toContain('skipped: no NOSPACE alarm, database at 0.0 % of quota');
    expect(json).toContain('"action_id":"runbook.anyway"');
    expect(json).toContain('"value":"r1|compact"');
    expect(JSON.stringify(checklistMessage(run(), QUOTA).blocks)).toMatch(
      /⤼ 4\. _recover_ · Compact the key history to the current revision — skipped: no NOSPACE alarm, database at 0\.0 % of quota/,
    );
  });

  it('people are mentions in the post-mortem, alertmanager stays plain', () => {
    const r = run();
    r.timeline.push({ at: 5, text: 'compact approved by U0BOB', who: 'U0BOB' });
    const pm = JSON.stringify(postMortemMessage(r).blocks);
    expect(pm).toContain('compact approved by <@U0BOB>');
    expect(pm).toContain('started by alertmanager');
    expect(pm).not.toContain('&lt;@');
  });
});
