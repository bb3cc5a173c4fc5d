/**
 * Fair, ordered delivery with five incidents in one channel: while their runbooks
 * post step after step, each resolved or reopened root edit reaches Slack within 3 s
 * of Quorum receiving the notification (it takes the channel's next turn before the
 * chatter), and every thread's messages arrive in the order they were produced. Real
 * webhook, Redis, etcd, worker and outbox; the Slack Web API test server, paced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertBot, type AlertBot } from '../support/alert-bot.js';
import { waitFor } from '../support/index.js';

/** The channel's pace: every message waits its turn (Slack allows about one a second). */
const PACE_MS = 250;
const BOUND_MS = 3_000;
const STEPS = 6;

let rig: AlertBot;

const runbook = () => {
  const steps = Array.from(
    { length: STEPS },
    (_, i) => `  - id: look-${i + 1}
    phase: detect
    kind: diagnose
    title: Look ${i + 1}
    job: etcd.alarms`,
  );
  return `id: chatty\ntitle: A chatty runbook\nmatch:\n  alertnames: [ChattyAlert]\nsteps:\n${steps.join('\n')}\n`;
};

beforeAll(async () => {
  rig = await startAlertBot({
    name: 'fair',
    paceMs: PACE_MS,
    runbooks: { 'chatty.yaml': runbook() },
  });
});

afterAll(() => rig?.close());

const alert = (i: number) => ({ alertname: 'ChattyAlert', labels: { instance: `etcd-${i}` } });
const group = (i: number) => `fair-${i}`;
const rootOf = (i: number) =>
  rig.slack
    .messages(rig.channel)
    .find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`etcd-${i}`));

/** When the first edit of `ts` matching `pattern` reached Slack, after `since`. */
const editedAt = (ts: string, pattern: RegExp, since: number) =>
  rig.slack
    .calls('chat.update')
    .find((c) => c.body.ts === ts && c.at >= since && pattern.test(String(c.body.text)))?.at;

async function timed(i: number, status: 'firing' | 'resolved', pattern: RegExp, ts: string) {
  const sent = Date.now();
  await rig.alert(group(i), [{ ...alert(i), startsAt: '2026-12-01T02:00:00Z' }], { status });
  const received = Date.now();
  await waitFor(() => Promise.resolve(editedAt(ts, pattern, sent) !== undefined), {
    what: `incident ${i}: a root edit matching ${pattern}`,
    timeoutMs: 60_000,
    intervalMs: 50,
  });
  return editedAt(ts, pattern, sent)! - received;
}

describe('five incidents in one channel, their runbooks running', () => {
  it('state changes reach Slack within 3 s, ahead of the chatter; every thread stays in order', async () => {
    for (let i = 0; i < 5; i++) await rig.alert(group(i), [alert(i)]);
    await waitFor(() => Promise.resolve([0, 1, 2, 3, 4].every((i) => rootOf(i))), {
      what: 'five roots',
      timeoutMs: 30_000,
    });
    const roots = [0, 1, 2, 3, 4].map((i) => rootOf(i)!.ts);
    // The runbooks' messages queue up behind the channel's pace: 5 × (checklist, 6 step
    // intros, 6 results, a post-mortem) at 250 ms each — far more than fits into the bound.

    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      latencies.push(await timed(i, 'resolved', /Resolved|Alert resolved/, roots[i]!));
    }
    for (const i of [0, 1]) latencies.push(await timed(i, 'firing', /Firing again/, roots[i]!));
    // Measured figures for the closing note; the bound is the issue's.
    console.log(`root edit latencies (ms): ${latencies.join(', ')}`);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(BOUND_MS);

    // Every thread: its step results in step order, the post-mortem after them.
    await waitFor(
      () =>
        Promise.resolve(
          roots.every((ts) =>
            rig.slack
              .messages(rig.channel)
              .some((m) => m.threadTs === ts && /post-mortem|Post-mortem/.test(m.text)),
          ),
        ),
      { what: 'five post-mortems', timeoutMs: 120_000, intervalMs: 500 },
    );
    for (const ts of roots) {
      const posts = rig.slack
        .calls('chat.postMessage')
        .filter((c) => c.body.thread_ts === ts)
        .map((c) => String(c.body.text));
      const steps = posts.flatMap((t) => {
        const m = /^Step (\d+)\/6 · /.exec(t);
        return m ? [Number(m[1])] : [];
      });
      expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
      const lastResult = posts.findLastIndex((t) => /^Step \d+\/6 · /.test(t));
      const postMortem = posts.findIndex((t) => /post-mortem|Post-mortem/.test(t));
      expect(postMortem).toBeGreaterThan(lastResult);
    }
  }, 240_000);
});
