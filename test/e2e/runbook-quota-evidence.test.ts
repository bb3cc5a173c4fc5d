/**
 * Issue 17's "the quota runbook on a healthy cluster asks for no approval and says what
 * it skipped": an etcdDatabaseQuotaLowSpace notification on a real, healthy etcd runs
 * the detect steps, skips compact, defrag and disarm with the reason and a Run anyway
 * button, and asks nobody anything; Run anyway then asks for an ordinary approval in
 * the thread, and a second person's approval runs the job against the real etcd.
 * Real webhook, Redis, etcd, worker; the Slack Web API test server.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/state/audit.js';
import { startAlertBot, type AlertBot } from '../support/alert-bot.js';
import { waitFor } from '../support/index.js';

let rig: AlertBot;
let reader: Redis;

beforeAll(async () => {
  rig = await startAlertBot({ name: 'quota', approvers: 'U0BOB,U0ALICE' });
  reader = new Redis(rig.redis.url, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  reader?.disconnect();
  await rig?.close();
});

const thread = (ts: string) => rig.thread(ts);
const text = (ts: string) =>
  thread(ts)
    .map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`)
    .join('\n');
const withAction = (ts: string, actionId: string) =>
  thread(ts).filter((m) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${actionId}"`));
const valueOf = (m: { blocks?: unknown }, actionId: string): string => {
  const blocks = (m.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[];
  const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
  return button?.value ?? '';
};
const approvalKeys = async () =>
  (await reader.keys('*:approval:*')).filter((k) => !/:approvals:/.test(k));
const click = (actionId: string, value: string, user: string, messageTs: string) =>
  rig.click(actionId, value, user, messageTs);

describe('the NOSPACE runbook on a healthy cluster', () => {
  it('asks for no approval, says what it skipped, and Run anyway goes through the normal approval', async () => {
    const alert = {
      alertname: 'etcdDatabaseQuotaLowSpace',
      labels: { cluster: 'prod', job: 'etcd' },
      annotations: { summary: 'etcd cluster "etcd": database size exceeds the defined quota' },
    };
    await rig.alert('quota', [alert]);
    await waitFor(() => Promise.resolve(Boolean(rig.root(/etcdDatabaseQuotaLowSpace/))), {
      what: 'the incident root',
    });
    const root = rig.root(/etcdDatabaseQuotaLowSpace/)!;

    // The recheck after the skipped actions ran; the manual post-mortem step waits.
    await waitFor(() => Promise.resolve(/"action_id":"runbook\.done"/.test(text(root.ts))), {
      what: 'the run to reach its manual step',
      timeoutMs: 60_000,
      context: () => text(root.ts),
    });
    const all = text(root.ts);
    // The real etcd's own numbers: a few KiB of a 2 GiB quota.
    expect(all).toMatch(/skipped: no NOSPACE alarm, database at 0\.\d % of quota/);
    expect(all).toMatch(
      /Defragment member by member[\s\S]*skipped: no NOSPACE alarm, no member fragmented/,
    );
    expect(all).toMatch(/skipped: no NOSPACE alarm raised/);
    expect(all).not.toContain('"action_id":"approval.approve"');
    expect(await approvalKeys()).toEqual([]);
    expect(all).toMatch(/Step 7\/8 · Check etcd again: etcd check of prod/);
    const skipped = withAction(root.ts, 'runbook.anyway');
    expect(skipped).toHaveLength(3);

    // Run anyway on compact, as an approver: an ordinary approval request in the thread.
    const compact = skipped.find((m) => /Compact the key history/.test(JSON.stringify(m.blocks)))!;
    const value = valueOf(compact, 'runbook.anyway');
    expect(value).toMatch(/\|compact$/);
    await click('runbook.anyway', value, 'U0BOB', compact.ts);
    await click('runbook.anyway', value, 'U0BOB', compact.ts); // a double click asks once
    await waitFor(() => Promise.resolve(withAction(root.ts, 'approval.approve').length > 0), {
      what: 'the approval request for compact',
      timeoutMs: 30_000,
    });
    const request = withAction(root.ts, 'approval.approve')[0]!;
    expect(JSON.stringify(request.blocks)).toMatch(/etcd\.compact|compact/i);
    expect(JSON.stringify(request.blocks)).toContain('<@U0BOB>');
    await waitFor(async () => (await approvalKeys()).length === 1, { what: 'one approval' });
    const audit = await readAudit(rig.bot.deps.redis, 'quorum');
    expect(audit.filter((e) => e.type === 'approval.requested')).toEqual([
      expect.objectContaining({ who: 'U0BOB', action: 'etcd.compact', cluster: 'prod' }),
    ]);

    // Approved by a second person, the job runs against the real etcd; its result lands in the thread.
    const approvalId = valueOf(request, 'approval.approve');
    await click('approval.approve', approvalId, 'U0ALICE', request.ts);
    await waitFor(() => Promise.resolve(/Compacted to revision \d+/.test(text(root.ts))), {
      what: 'the compaction result in the thread',
      timeoutMs: 30_000,
      context: () => text(root.ts),
    });
    // One request was posted, however often Run anyway was clicked.
    const requests = rig.slack
      .calls('chat.postMessage')
      .filter((c) =>
        JSON.stringify(c.body.blocks ?? []).includes('"action_id":"approval.approve"'),
      );
    expect(requests).toHaveLength(1);
  }, 120_000);
});
