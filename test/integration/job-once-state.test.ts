/**
 * The two Redis records behind "a job acts once", against real Redis: a job's recorded
 * result (first one wins, another enqueue of the same job id is another job) and an
 * approval's single use (taken once; given back only by the attempt that took it).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/domain/report.js';
import { giveBackApproval, takeApproval } from '../../src/state/approval-consume.js';
import { approvalStore } from '../../src/state/approvals.js';
import { jobResultStore } from '../../src/state/job-results.js';
import { startRedis, type RedisServer } from '../support/index.js';
import { uniquePrefix } from '../e2e/harness.js';

let redis: RedisServer;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  client?.disconnect();
  await redis?.close();
});

const report = (title: string): Report => ({
  kind: 'etcd.defrag',
  cluster: 'c1',
  startedAt: '2026-12-01T00:00:00.000Z',
  finishedAt: '2026-12-01T00:00:01.000Z',
  findings: [{ id: 'etcd.defrag', severity: 'ok', title }],
  data: { members: 1 },
});

describe('job results', () => {
  it('keep the first result of a run, and tell another enqueue of the same id apart', async () => {
    const prefix = uniquePrefix('results');
    const store = jobResultStore(client, prefix);
    const run = { jobId: 'etcd.defrag@r1', run: 'nonce-1' };
    expect(await store.get(run)).toBeUndefined();
    const first = await store.record(run, 1, report('first'));
    expect(first.report.findings[0]!.title).toBe('first');
    // A second attempt racing the first gets the first's result back.
    const second = await store.record(run, 1, report('second'));
    expect(second.report.findings[0]!.title).toBe('first');
    expect(await store.get(run)).toMatchObject({ attempt: 1, report: report('first') });
    expect((await store.get(run))!.finishedAt).toBeUndefined();
    expect(await store.markFinished(run)).toBe(true);
    expect((await store.get(run))!.finishedAt).toBeGreaterThan(0);
    // The same job id enqueued again later (its nonce differs) is another job.
    expect(await store.get({ ...run, run: 'nonce-2' })).toBeUndefined();
    expect(await store.markFinished({ ...run, run: 'nonce-2' })).toBe(false);
    const ttl = await client.pttl(`${prefix}:job-result:${run.jobId}`);
    expect(ttl).toBeGreaterThan(2 * 24 * 3_600_000);
  });
});

describe('approval single use', () => {
  it('is taken once; given back only by the attempt that took it; never by another job', async () => {
    const prefix = uniquePrefix('use');
    const approvals = approvalStore({ redis: client, prefix });
    const make = async (id: string, decide: boolean) => {
      await approvals.createApproval({
        id,
        cluster: 'c1',
        action: 'etcd.defrag',
        params: {},
        requestedBy: 'U1',
        channel: 'C1',
      });
      if (decide)
        await approvals.decideApproval(id, {
          decision: 'approve',
          by: 'U2',
          approvers: () => Promise.resolve(true),
        });
    };
    await make('a1', true);
    await make('pending', false);
    const use = {
      approvalId: 'a1',
      job: 'etcd.defrag@r1#n1',
      attempt: 1,
      token: 't1',
      action: 'etcd.defrag',
      cluster: 'c1',
    };
    expect(await takeApproval(client, prefix, use)).toEqual({ outcome: 'taken' });
    // A re-delivery of the same attempt finds it taken, with no word of how it ended.
    expect(await takeApproval(client, prefix, { ...use, token: 't2' })).toMatchObject({
      outcome: 'interrupted',
      attempt: 1,
    });
    expect(await giveBackApproval(client, prefix, { ...use, token: 't2' })).toBe(false);
    // The attempt that took it failed knowingly: given back, the job's retry may take it.
    expect(await giveBackApproval(client, prefix, use)).toBe(true);
    expect(await takeApproval(client, prefix, { ...use, attempt: 2, token: 't3' })).toEqual({
      outcome: 'taken',
    });
    expect(await takeApproval(client, prefix, { ...use, job: 'etcd.defrag@r2#n9' })).toEqual({
      outcome: 'used',
      by: 'etcd.defrag@r1#n1',
    });
    expect(
      await takeApproval(client, prefix, { ...use, approvalId: 'pending', token: 't4' }),
    ).toMatchObject({ outcome: 'not-approved', why: 'approval pending is pending, not approved' });
    expect(
      await takeApproval(client, prefix, { ...use, approvalId: 'a1', action: 'etcd.compact' }),
    ).toMatchObject({
      outcome: 'not-approved',
      why: expect.stringMatching(/is for etcd.defrag on c1/),
    });
    expect(await takeApproval(client, prefix, { ...use, approvalId: 'nobody' })).toMatchObject({
      outcome: 'not-approved',
      why: 'approval nobody is unknown (or expired from Redis)',
    });
  });
});
