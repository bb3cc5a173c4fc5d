import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  approvalState,
  approvalStore,
  type ApprovalStore,
  type ApproverCheck,
} from '../../src/state/approvals.js';
import { resolveApprovers } from '../../src/state/approvers.js';
import { startRedis, type RedisServer } from '../support/index.js';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const REQUESTER = 'U0REQUEST';
const APPROVER = 'U0APPROVE';
const OTHER_APPROVER = 'U0SECOND';
const STRANGER = 'U0STRANGER';
const approvers: ApproverCheck = (id) => Promise.resolve([APPROVER, OTHER_APPROVER].includes(id));

describe('approvals in real Redis', () => {
  let server: RedisServer;
  let redis: Redis;
  let clock: number;
  let store: ApprovalStore;
  let prefix: string;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.close();
  });
  beforeEach(() => {
    clock = T0;
    prefix = `test:${randomUUID()}`;
    store = approvalStore({ redis, prefix, now: () => clock });
  });

  const fields = {
    cluster: 'prod',
    action: 'etcd.defrag',
    params: {},
    requestedBy: REQUESTER,
    channel: 'C0OPS',
  };

  const request = (id?: string) =>
    store.createApproval({
      id,
      cluster: 'prod',
      action: 'etcd.defrag',
      params: { members: 'all', leaderLast: true },
      requestedBy: REQUESTER,
      channel: 'C0OPS',
    });

  it('creates a pending request that expires in 15 minutes and keeps its parameters', async () => {
    const a = await request('req-1');
    expect(a).toMatchObject({ id: 'req-1', status: 'pending', expiresAt: T0 + 15 * 60_000 });
    expect(await store.getApproval('req-1')).toEqual(a);
    expect(await store.setApprovalMessage('req-1', 'C0OPS', '1700000000.000100')).toBe(true);
    expect((await store.getApproval('req-1'))?.messageTs).toBe('1700000000.000100');
    await expect(request('req-1')).rejects.toThrow(/already taken/);
    // The key is removed from Redis some time after its deadline.
    const ttl = await redis.pttl(`${prefix}:approval:req-1`);
    expect(ttl).toBeGreaterThan(15 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 7 * 24 * 3_600_000);
  });

  it('refuses the requester, refuses a non-approver, lets an approver approve once', async () => {
    const { id } = await request();
    const own = await store.decideApproval(id, { decision: 'approve', by: REQUESTER, approvers });
    expect(own.outcome).toBe('own-request');
    const stranger = await store.decideApproval(id, {
      decision: 'approve',
      by: STRANGER,
      approvers,
    });
    expect(stranger.outcome).toBe('not-approver');
    expect((await store.getApproval(id))?.status).toBe('pending');

    clock += 60_000;
    const ok = await store.decideApproval(id, { decision: 'approve', by: APPROVER, approvers });
    expect(ok.outcome).toBe('approved');
    expect(ok.approval).toMatchObject({
      status: 'approved',
      decidedBy: APPROVER,
      decidedAt: clock,
    });
    expect(await store.getApproval(id)).toEqual(ok.approval);

    const again = await store.decideApproval(id, {
      decision: 'approve',
      by: OTHER_APPROVER,
      approvers,
    });
    expect(again.outcome).toBe('already-decided');
    expect(again.approval?.decidedBy).toBe(APPROVER);
  });

  it('gives exactly one "approved" to 20 concurrent approve calls', async () => {
    const { id } = await request();
    const clients = Array.from({ length: 4 }, () => new Redis(server.url));
    try {
      const stores = clients.map((c) => approvalStore({ redis: c, prefix, now: () => clock }));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          stores[i % stores.length]!.decideApproval(id, {
            decision: 'approve',
            by: i % 2 ? APPROVER : OTHER_APPROVER,
            approvers,
          }),
        ),
      );
      const outcomes = results.map((r) => r.outcome);
      expect(outcomes.filter((o) => o === 'approved')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'already-decided')).toHaveLength(19);
      const winner = results.find((r) => r.outcome === 'approved')!.approval!;
      expect((await store.getApproval(id))?.decidedBy).toBe(winner.decidedBy);
      expect(await store.pendingIntents(clock)).toEqual([id]);
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('records the job intent with the approval, in the same step; one caller ends it', async () => {
    const { id } = await request();
    clock += 1_000;
    const ok = await store.decideApproval(id, { decision: 'approve', by: APPROVER, approvers });
    expect(ok.approval).toMatchObject({ status: 'approved', intent: 'pending' });
    expect(await store.pendingIntents(clock - 1)).toEqual([]);
    expect(await store.pendingIntents(clock)).toEqual([id]);
    const ends = await Promise.all(Array.from({ length: 5 }, () => store.endIntent(id, 'done')));
    expect(ends.filter(Boolean)).toHaveLength(1);
    expect((await store.getApproval(id))?.intent).toBe('done');
    expect(await store.pendingIntents(clock)).toEqual([]);

    const failing = await request();
    await store.decideApproval(failing.id, { decision: 'approve', by: APPROVER, approvers });
    expect(await store.endIntent(failing.id, 'failed', 'No cluster named "old".')).toBe(true);
    expect(await store.getApproval(failing.id)).toMatchObject({
      intent: 'failed',
      intentError: 'No cluster named "old".',
    });

    const rejected = await request();
    const no = await store.decideApproval(rejected.id, {
      decision: 'reject',
      by: APPROVER,
      approvers,
    });
    expect(no.approval?.intent).toBeUndefined();
    expect(await store.pendingIntents(clock + 60_000)).toEqual([]);
    expect(await store.endIntent('gone', 'done')).toBe(false);
  });

  it('takes an undecided request past its deadline off the deadlines once; a decided one never', async () => {
    const ttl = { ttlMs: 60_000 };
    const late = await store.createApproval({ ...fields, ...ttl });
    const decided = await store.createApproval({ ...fields, ...ttl });
    await store.decideApproval(decided.id, { decision: 'reject', by: APPROVER, approvers });
    clock += 59_999;
    expect(await store.dueExpiries()).toEqual([]);
    expect(await store.takeExpired(late.id)).toBeUndefined();
    clock += 1;
    expect(await store.dueExpiries()).toEqual([late.id]);
    const takes = await Promise.all(Array.from({ length: 5 }, () => store.takeExpired(late.id)));
    expect(takes.filter(Boolean).map((a) => a?.id)).toEqual([late.id]);
    expect(await store.dueExpiries()).toEqual([]);
    expect(approvalState((await store.getApproval(late.id))!, clock)).toBe('expired');
  });

  it('expires by the injected clock and records no decision', async () => {
    const { id } = await request();
    clock += 15 * 60_000 - 1;
    expect(approvalState((await store.getApproval(id))!, clock)).toBe('pending');
    clock += 1;
    const late = await store.decideApproval(id, { decision: 'approve', by: APPROVER, approvers });
    expect(late.outcome).toBe('expired');
    const stored = await store.getApproval(id);
    expect(stored?.status).toBe('pending');
    expect(stored?.decidedBy).toBeUndefined();
    expect(approvalState(stored!, clock)).toBe('expired');
    const reject = await store.decideApproval(id, { decision: 'reject', by: APPROVER, approvers });
    expect(reject.outcome).toBe('expired');
  });

  it('rejects, after which an approve is already-decided', async () => {
    const { id } = await request();
    const no = await store.decideApproval(id, { decision: 'reject', by: APPROVER, approvers });
    expect(no).toMatchObject({ outcome: 'rejected', approval: { decidedBy: APPROVER } });
    const yes = await store.decideApproval(id, {
      decision: 'approve',
      by: OTHER_APPROVER,
      approvers,
    });
    expect(yes.outcome).toBe('already-decided');
    expect((await store.getApproval(id))?.status).toBe('rejected');
  });

  it('lets the requester reject (withdraw) their own request, but no stranger', async () => {
    const first = await request();
    const stranger = await store.decideApproval(first.id, {
      decision: 'reject',
      by: STRANGER,
      approvers,
    });
    expect(stranger.outcome).toBe('not-approver');
    const own = await store.decideApproval(first.id, {
      decision: 'reject',
      by: REQUESTER,
      approvers,
    });
    expect(own).toMatchObject({ outcome: 'rejected', approval: { decidedBy: REQUESTER } });
  });

  it('answers not-found for unknown and malformed ids, without asking the approver list', async () => {
    let asked = 0;
    const counting: ApproverCheck = (id) => {
      asked += 1;
      return approvers(id);
    };
    for (const id of ['nope', '../../etc', '']) {
      const r = await store.decideApproval(id, {
        decision: 'approve',
        by: APPROVER,
        approvers: counting,
      });
      expect(r.outcome).toBe('not-found');
    }
    expect(asked).toBe(0);
    expect(await store.setApprovalMessage('nope', 'C1', '1.2')).toBe(false);
    expect(await redis.exists(`${prefix}:approval:nope`)).toBe(0);
  });

  it('keeps a decided record for the retention time after the decision', async () => {
    const short = approvalStore({ redis, prefix, now: () => clock, retainMs: 60_000 });
    const { id } = await short.createApproval({
      cluster: 'prod',
      action: 'etcd.compact',
      params: {},
      requestedBy: REQUESTER,
      channel: 'C0OPS',
      ttlMs: 1_000,
    });
    await short.decideApproval(id, { decision: 'approve', by: APPROVER, approvers });
    const ttl = await redis.pttl(`${prefix}:approval:${id}`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});

describe('resolveApprovers', () => {
  it('accepts listed users, resolves groups through the function and caches them', async () => {
    let clock = T0;
    const calls: string[] = [];
    const groups: Record<string, string[]> = { S0ONCALL: ['U0ALICE', 'U0BOB'], S0EMPTY: [] };
    const isApprover = resolveApprovers(
      ['U0CAROL', ' W0DAVE', 'S0ONCALL', 'S0EMPTY'],
      (g) => {
        calls.push(g);
        return Promise.resolve(groups[g] ?? []);
      },
      30_000,
      () => clock,
    );
    expect(await isApprover('U0CAROL')).toBe(true);
    expect(await isApprover('W0DAVE')).toBe(true);
    expect(calls).toEqual([]);
    expect(await isApprover('U0ALICE')).toBe(true);
    expect(await isApprover('U0MALLORY')).toBe(false);
    await Promise.all([isApprover('U0BOB'), isApprover('U0BOB'), isApprover('U0EVE')]);
    expect(calls.sort()).toEqual(['S0EMPTY', 'S0ONCALL']);

    groups.S0ONCALL = ['U0BOB'];
    clock += 29_999;
    expect(await isApprover('U0ALICE')).toBe(true);
    clock += 1;
    expect(await isApprover('U0ALICE')).toBe(false);
    expect(calls).toHaveLength(4);
  });

  it('fails closed when a group cannot be listed, and asks again next time', async () => {
    let fail = true;
    let calls = 0;
    const isApprover = resolveApprovers(['U0CAROL', 'S0ONCALL'], () => {
      calls += 1;
      return fail ? Promise.reject(new Error('ratelimited')) : Promise.resolve(['U0ALICE']);
    });
    expect(await isApprover('U0CAROL')).toBe(true);
    await expect(isApprover('U0ALICE')).rejects.toThrow('ratelimited');
    fail = false;
    expect(await isApprover('U0ALICE')).toBe(true);
    expect(calls).toBe(2);
  });

  it('names a bad entry in the spec', () => {
    expect(() => resolveApprovers(['U0CAROL', 'alice'], () => Promise.resolve([]))).toThrow(
      /"alice" is not a Slack user or user-group ID/,
    );
  });
});
