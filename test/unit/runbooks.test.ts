import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbooks } from '../../src/operations/runbooks/load.js';
import { fill, matchRunbook, resolveParams } from '../../src/operations/runbooks/match.js';
import type { Runbook } from '../../src/domain/runbook.js';
import {
  advance,
  manualDone,
  newRun,
  stepDecided,
  stepFinished,
} from '../../src/operations/runbooks/walk.js';
import { findJobKind } from '../../src/transport/queue/catalogue.js';

const builtins = () => loadRunbooks(findJobKind);

async function extraDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quorum-runbooks-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

const MINIMAL = (body: string) => `id: extra
title: Extra
match: { alertnames: [Extra] }
${body}`;

describe('runbook catalogue', () => {
  it('loads every built-in runbook and matches the upstream mixin alert names', () => {
    const all = builtins();
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const name of [
      'etcdDatabaseQuotaLowSpace',
      'etcdBackendQuotaLowSpace',
      'etcdNoLeader',
      'etcdInsufficientMembers',
      'etcdHighFsyncDurations',
      'etcdDatabaseHighFragmentationRatio',
      'KubeClientCertificateExpiration',
    ]) {
      expect(matchRunbook(all, { alertname: name }), name).toBeDefined();
    }
    expect(matchRunbook(all, { alertname: 'SomethingElse' })).toBeUndefined();
  });

  it('loads a valid extra runbook beside the built-ins', async () => {
    const dir = await extraDir({
      'extra.yaml': MINIMAL(
        'steps:\n  - { id: a, phase: detect, kind: diagnose, title: A, job: etcd.check }\n',
      ),
    });
    expect(loadRunbooks(findJobKind, dir).map((r) => r.id)).toContain('extra');
  });

  it.each([
    ['not YAML', 'id: [', /not readable YAML/],
    [
      'an unknown job',
      MINIMAL('steps:\n  - { id: a, phase: detect, kind: diagnose, title: A, job: etcd.nope }\n'),
      /unknown job "etcd.nope"/,
    ],
    [
      'a destructive diagnose',
      MINIMAL('steps:\n  - { id: a, phase: detect, kind: diagnose, title: A, job: etcd.defrag }\n'),
      /changes the cluster.*action step/,
    ],
    [
      'a read-only action',
      MINIMAL('steps:\n  - { id: a, phase: recover, kind: action, title: A, job: etcd.check }\n'),
      /only reads/,
    ],
    [
      'an undeclared parameter',
      MINIMAL('steps:\n  - { id: a, phase: assess, kind: manual, title: "ssh {{node}}" }\n'),
      /\{\{node\}\} is not a parameter/,
    ],
    [
      'a wrong phase',
      MINIMAL('steps:\n  - { id: a, phase: later, kind: manual, title: A }\n'),
      /steps\.0\.phase: must be one of detect/,
    ],
    [
      'a reused built-in id',
      'id: etcd-no-leader\ntitle: X\nsteps:\n  - { id: a, phase: detect, kind: manual, title: A }\n',
      /already used/,
    ],
  ])('refuses an extra runbook with %s, naming the file and the fix', async (_, text, message) => {
    const dir = await extraDir({ 'bad.yaml': text });
    let error: unknown;
    try {
      loadRunbooks(findJobKind, dir);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'RUNBOOK_INVALID' });
    const { message: said, hint } = error as Error & { hint?: string };
    expect(`${said} ${hint ?? ''}`).toMatch(message);
    expect((error as Error).message).toContain('bad.yaml');
  });
});

const NODE_RUNBOOK: Runbook = {
  id: 'node',
  title: 'Node',
  match: { alertnames: ['KubeNodeNotReady'], labels: {} },
  params: {
    node: { from: ['node', 'instance'], strip: 'port', pattern: '^[a-z0-9.-]+$', required: true },
  },
  steps: [
    {
      id: 'd1',
      phase: 'detect',
      kind: 'diagnose',
      title: 'D1',
      job: 'etcd.check',
      with: { node: '{{node}}' },
    },
    { id: 'd2', phase: 'assess', kind: 'diagnose', title: 'D2', job: 'etcd.alarms', with: {} },
    { id: 'a1', phase: 'contain', kind: 'action', title: 'A1', job: 'etcd.defrag', with: {} },
    {
      id: 'm1',
      phase: 'recover',
      kind: 'manual',
      title: 'M1',
      commands: ['ssh {{node}} systemctl status kubelet'],
    },
  ],
};

describe('runbook parameters', () => {
  it('takes the node from the first label set, stripping a port', () => {
    expect(resolveParams(NODE_RUNBOOK, { instance: 'worker-1:9100' })).toEqual({
      node: 'worker-1',
    });
    expect(resolveParams(NODE_RUNBOOK, { node: 'cp-1', instance: 'x:1' })).toEqual({
      node: 'cp-1',
    });
    expect(resolveParams(NODE_RUNBOOK, {}, { node: 'w-2' })).toEqual({ node: 'w-2' });
  });

  it('refuses a label value that does not match the pattern (labels are untrusted)', () => {
    expect(() => resolveParams(NODE_RUNBOOK, { node: 'w1; rm -rf /' })).toThrow(
      /does not look right/,
    );
    expect(() => resolveParams(NODE_RUNBOOK, {})).toThrow(/node is missing/);
    expect(() => resolveParams(NODE_RUNBOOK, {}, { node: 'a', color: 'red' })).toThrow(
      /color is not a parameter/,
    );
  });

  it('fills placeholders', () => {
    expect(fill('ssh {{node}} && echo {{ node }}', { node: 'n1' })).toBe('ssh n1 && echo n1');
  });
});

describe('walking a runbook', () => {
  const start = () =>
    newRun(NODE_RUNBOOK, {
      id: 'r1',
      cluster: 'prod',
      params: { node: 'w1' },
      thread: { channel: 'C1', ref: 'x' },
      startedBy: 'alertmanager',
      startedAt: 0,
    });

  it('starts consecutive diagnose steps together and holds the action until they end', () => {
    const first = advance(start(), NODE_RUNBOOK, 1);
    expect(first.effects.map((e) => e.type)).toEqual(['run', 'run']);
    expect(first.effects[0]).toMatchObject({ params: { node: 'w1' } });
    expect(advance(first.run, NODE_RUNBOOK, 2).effects).toEqual([]);
    const one = stepFinished(
      first.run,
      NODE_RUNBOOK,
      'd1',
      { ok: true, severity: 'crit', summary: 'NotReady' },
      3,
    );
    expect(advance(one!, NODE_RUNBOOK, 3).effects).toEqual([]);
    const both = stepFinished(
      one!,
      NODE_RUNBOOK,
      'd2',
      { ok: true, severity: 'ok', summary: 'none' },
      4,
    );
    const next = advance(both!, NODE_RUNBOOK, 4);
    expect(next.effects.map((e) => e.type)).toEqual(['approve']);
    expect(next.run.steps[2]?.status).toBe('waiting');
  });

  it('a repeated step end changes nothing', () => {
    const first = advance(start(), NODE_RUNBOOK, 1).run;
    const done = stepFinished(
      first,
      NODE_RUNBOOK,
      'd1',
      { ok: true, severity: 'ok', summary: 's' },
      2,
    )!;
    expect(
      stepFinished(done, NODE_RUNBOOK, 'd1', { ok: true, severity: 'ok', summary: 's' }, 3),
    ).toBeUndefined();
  });

  it('a rejected action is skipped, the manual step waits for Done, then the run completes', () => {
    let run = advance(start(), NODE_RUNBOOK, 1).run;
    run = stepFinished(run, NODE_RUNBOOK, 'd1', { ok: true, severity: 'ok', summary: 's' }, 2)!;
    run = stepFinished(run, NODE_RUNBOOK, 'd2', { ok: true, severity: 'ok', summary: 's' }, 2)!;
    run = advance(run, NODE_RUNBOOK, 3).run;
    run = stepDecided(run, 'a1', 'rejected', 'U0BOB', 4)!;
    const manual = advance(run, NODE_RUNBOOK, 5);
    expect(manual.effects).toEqual([
      expect.objectContaining({ type: 'manual', commands: ['ssh w1 systemctl status kubelet'] }),
    ]);
    const ticked = manualDone(manual.run, NODE_RUNBOOK, 'm1', 'U0CAROL', 6)!;
    expect(manualDone(ticked, NODE_RUNBOOK, 'm1', 'U0DAN', 7)).toBeUndefined();
    const end = advance(ticked, NODE_RUNBOOK, 8);
    expect(end.effects).toEqual([{ type: 'finished' }]);
    expect(end.run.outcome).toBe('completed');
    expect(end.run.timeline.map((t) => t.text).join('\n')).toMatch(
      /rejected by U0BOB[\s\S]*done by U0CAROL/,
    );
  });

  it('a failed action stops the run; nothing after it starts', () => {
    let run = advance(start(), NODE_RUNBOOK, 1).run;
    run = stepFinished(run, NODE_RUNBOOK, 'd1', { ok: true, severity: 'ok', summary: 's' }, 2)!;
    run = stepFinished(run, NODE_RUNBOOK, 'd2', { ok: true, severity: 'ok', summary: 's' }, 2)!;
    run = advance(run, NODE_RUNBOOK, 3).run;
    run = stepDecided(run, 'a1', 'approved', 'U0BOB', 4)!;
    run = stepFinished(run, NODE_RUNBOOK, 'a1', { ok: false, reason: 'timed out' }, 5)!;
    const end = advance(run, NODE_RUNBOOK, 6);
    expect(end.effects).toEqual([{ type: 'finished' }]);
    expect(end.run.outcome).toBe('stopped');
    expect(end.run.steps.map((s) => s.status)).toEqual(['done', 'done', 'failed', 'skipped']);
  });
});
