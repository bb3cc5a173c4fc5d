/**
 * "Resolved" means the incident is over: the alert resolving while one of its runbook's
 * actions still waits for approval leaves the root saying what waits and what stays
 * broken; the approval stays live; approved, the final check runs and the root turns
 * to resolved with its verdict. Step results read in step order, each labelled. Real
 * webhook, real Redis, real etcd and worker, the Slack Web API test server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertBot, type AlertBot } from '../support/alert-bot.js';
import { waitFor } from '../support/index.js';

let rig: AlertBot;

const RUNBOOK = `
id: read-only-drill
title: etcd read-only drill
match:
  alertnames: [EtcdReadOnlyDrill]
steps:
  - id: look
    phase: detect
    kind: diagnose
    title: etcd health
    job: etcd.check
  - id: alarms
    phase: assess
    kind: diagnose
    title: Raised alarms
    job: etcd.alarms
  - id: disarm
    phase: recover
    kind: action
    title: Disarm the NOSPACE alarm
    job: etcd.alarms.disarm
    untilDone: etcd still refuses writes
  - id: recheck
    phase: recover
    kind: diagnose
    title: Check etcd again
    job: etcd.check
  - id: notes
    phase: postmortem
    kind: manual
    title: Write down what grew
`;

beforeAll(async () => {
  rig = await startAlertBot({ name: 'over', runbooks: { 'read-only-drill.yaml': RUNBOOK } });
});

afterAll(() => rig?.close());

const rootText = (ts: string) => rig.textOf(ts);
const thread = (ts: string) => rig.thread(ts);
const headline = (ts: string) => rig.slack.messages(rig.channel).find((x) => x.ts === ts)!.text;

describe('an incident is over when its alert and its runbook are', () => {
  it('a resolved alert with an approval still waiting says so; approved, the final check shows and the root resolves', async () => {
    const alert = { alertname: 'EtcdReadOnlyDrill', labels: { cluster: 'prod' } };
    await rig.alert('ro', [alert]);
    await waitFor(() => Promise.resolve(Boolean(rig.root(/EtcdReadOnlyDrill/))), {
      what: 'the root',
    });
    const root = rig.root(/EtcdReadOnlyDrill/)!;
    const approval = () =>
      thread(root.ts).find((m) => JSON.stringify(m.blocks ?? []).includes('approval.approve'));
    await waitFor(() => Promise.resolve(Boolean(approval())), { what: 'the disarm approval' });

    // Both diagnoses ran side by side; their results are posted in step order, labelled.
    const results = thread(root.ts)
      .map((m) => m.text)
      .filter((t) => /^Step \d\/5 · /.test(t));
    expect(results.map((t) => /^Step (\d)/.exec(t)![1])).toEqual(['1', '2']);
    expect(results[0]).toMatch(/^Step 1\/5 · etcd health/);

    // While firing, the root names what waits.
    await waitFor(() => Promise.resolve(/1 step still waiting/.test(rootText(root.ts))), {
      what: 'the root naming the waiting step',
      context: () => rootText(root.ts),
    });

    await rig.alert('ro', [alert], { status: 'resolved' });
    await waitFor(() => Promise.resolve(/Alert resolved ·/.test(rootText(root.ts))), {
      what: 'the root: alert resolved, a step still waiting',
    });
    const text = rootText(root.ts);
    expect(text).toContain(
      'Alert resolved · 1 step still waiting: Disarm the NOSPACE alarm (waiting for approval) — etcd still refuses writes; then Check etcd again',
    );
    expect(headline(root.ts)).not.toMatch(/^✔/);
    // The thread's reply is its own outbox stream: it may land a turn after the root's edit.
    const said = () =>
      thread(root.ts)
        .map((m) => m.text)
        .join('\n');
    await waitFor(() => Promise.resolve(/the incident is not over/.test(said())), {
      what: 'the thread saying the incident is not over',
      context: said,
    });

    // The approval stays live after the alert resolved: approved, the action and the final check run.
    const request = approval()!;
    const id = /"value":"([^"]+)"/.exec(JSON.stringify(request.blocks))![1]!;
    await rig.click('approval.approve', id, 'U0BOB', request.ts);
    await waitFor(() => Promise.resolve(/Resolved after \d+ s/.test(rootText(root.ts))), {
      what: 'the root resolved once the run is over',
      timeoutMs: 60_000,
    });
    expect(rootText(root.ts)).toMatch(/Final check ✔ Check etcd again/);
    expect(headline(root.ts)).toMatch(/^✔ Resolved/);
    const labels = () =>
      thread(root.ts)
        .map((m) => /^Step (\d)\/5 · /.exec(m.text)?.[1])
        .filter(Boolean);
    await waitFor(() => Promise.resolve(labels().length === 4), { what: 'the four results' });
    expect(labels()).toEqual(['1', '2', '3', '4']);
  });
});
