import { describe, expect, it } from 'vitest';
import {
  approvalDecidedMessage,
  approvalExpiredMessage,
  approvalMessage,
  approvalRequestMessage,
  rootMessageText,
  rootStateOf,
  type ApprovalView,
} from '../../../src/render/block-kit/index.js';
import type { Approval } from '../../../src/state/approvals.js';
import * as fx from './fixtures.js';
import {
  asKnownBlocks,
  expectGolden,
  expectOnlyOwnControlSequences,
  expectWithinSlackLimits,
} from './golden.js';

const T0 = fx.NOW.getTime();
// The store's record is what the renderer takes.
const pending: Approval = {
  id: 'k3Jx9QvT2mNa',
  cluster: 'prod',
  action: 'etcd.defrag',
  params: { members: 'all', order: 'followers first, leader last', timeout: '10m' },
  requestedBy: 'U024BE7LH',
  channel: 'C0OPS42',
  messageTs: '1795602900.000200',
  createdAt: T0,
  expiresAt: T0 + 15 * 60_000,
  status: 'pending',
};
const view: ApprovalView = pending;

describe('approval messages (golden)', () => {
  it('request, approved, rejected, withdrawn, expired', () => {
    const approved = {
      ...view,
      status: 'approved' as const,
      decidedBy: 'U0G9QF9C6',
      decidedAt: T0 + 120_000,
    };
    const rejected = { ...approved, status: 'rejected' as const };
    const withdrawn = { ...rejected, decidedBy: view.requestedBy };
    const messages = {
      request: approvalRequestMessage(view),
      approved: approvalDecidedMessage(approved),
      rejected: approvalDecidedMessage(rejected),
      withdrawn: approvalDecidedMessage(withdrawn),
      expired: approvalExpiredMessage(view),
    };
    for (const m of Object.values(messages)) {
      asKnownBlocks(m);
      expectWithinSlackLimits(m);
      expectOnlyOwnControlSequences(m, ['U024BE7LH', 'U0G9QF9C6']);
    }
    expectGolden('approval', messages);
  });

  it('has Approve and Reject buttons naming the request, and none once decided or expired', () => {
    const request = approvalRequestMessage(view);
    const actions = request.blocks.find((b) => b.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { action_id: 'approval.approve', value: view.id, style: 'primary' },
        { action_id: 'approval.reject', value: view.id, style: 'danger' },
      ],
    });
    expect(JSON.stringify(request)).toContain(`<!date^${(T0 + 15 * 60_000) / 1000}^`);
    expect(JSON.stringify(request)).toContain('timeout=10m');
    const decided = approvalMessage(
      { ...view, status: 'approved', decidedBy: 'U0G9QF9C6', decidedAt: T0 },
      T0,
    );
    const expired = approvalMessage(view, view.expiresAt);
    for (const m of [decided, expired])
      expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(decided)).toContain('*Approved* by <@U0G9QF9C6>');
    expect(approvalMessage(view, view.expiresAt - 1).blocks.some((b) => b.type === 'actions')).toBe(
      true,
    );
  });
});

describe('root message text', () => {
  it('says what, where, who and how it went', () => {
    const text = (state: Parameters<typeof rootMessageText>[3]) =>
      rootMessageText('etcd.snapshot', 'prod', 'U123ABC', state);
    const all = {
      running: text({ status: 'running' }),
      step: text({ status: 'running', step: 'streaming from cp-1' }),
      waiting: text({ status: 'awaiting-approval' }),
      done: text({ status: 'done' }),
      warnings: text({ status: 'done', warnings: 2 }),
      critical: text({ status: 'done', criticals: 1, warnings: 2 }),
      failed: text({ status: 'failed' }),
      rejected: text({ status: 'rejected' }),
      expired: text({ status: 'expired' }),
      cli: rootMessageText('etcd.check', 'prod', 'alice@cp-1 (cli)', { status: 'done' }),
      fromReport: rootMessageText(
        'etcd.check',
        'prod',
        'U123ABC',
        rootStateOf(fx.etcdCheckReport()),
      ),
    };
    expect(all.running).toBe('etcd snapshot of *prod*, asked by <@U123ABC> — running');
    expect(all.done).toBe('etcd snapshot of *prod*, asked by <@U123ABC> — ✔ done');
    expect(all.warnings).toBe('etcd snapshot of *prod*, asked by <@U123ABC> — ▲ 2 warnings');
    expect(all.failed).toBe('etcd snapshot of *prod*, asked by <@U123ABC> — ✖ failed');
    expect(all.fromReport).toMatch(/— ▲ 3 warnings$/);
    expectGolden('root-message', all);
  });
});
