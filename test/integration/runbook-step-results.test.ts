/**
 * A runbook step's result reaches its thread once, in step order, whatever fails between
 * the steps: the outbox failing right after the step's end was stored (a crash between
 * the two) leaves the result due, and the re-delivered job end posts it — once, though
 * the step's end is not stored again. Real Redis; the outbox is a recorder that can fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunbookEngine } from '../../src/app/runbooks/engine.js';
import { outcomeOfReport } from '../../src/app/runbooks/outcome.js';
import type { OutboxMessage, OutboxWriter } from '../../src/domain/outbox-message.js';
import type { Report } from '../../src/domain/report.js';
import { runbookSchema } from '../../src/domain/runbook.js';
import { createRedis } from '../../src/runtime-deps.js';
import { approvalStore } from '../../src/state/approvals.js';
import { readRun } from '../../src/state/runbook-runs.js';
import { startRedis, type RedisServer } from '../support/index.js';
import { testConfig, testLogger, uniquePrefix } from '../e2e/harness.js';

let server: RedisServer;
let redis: ReturnType<typeof createRedis>;
beforeAll(async () => {
  server = await startRedis();
  redis = createRedis(server.url, testLogger());
});
afterAll(async () => {
  redis?.disconnect();
  await server?.close();
});

const RUNBOOK = runbookSchema.parse({
  id: 'two-looks',
  title: 'Two looks',
  steps: [
    { id: 'first', phase: 'detect', kind: 'diagnose', title: 'First look', job: 'etcd.check' },
    { id: 'second', phase: 'assess', kind: 'diagnose', title: 'Second look', job: 'etcd.alarms' },
  ],
});

/** A report of a kind no renderer knows: the generic report message. */
const report = (kind: string, title: string): Report => ({
  kind,
  cluster: 'prod',
  startedAt: '2026-12-02T00:00:00.000Z',
  finishedAt: '2026-12-02T00:00:01.000Z',
  findings: [{ id: 'x', severity: 'ok', title }],
  data: {},
});

describe('step results', () => {
  it('a result whose post failed after the step end was stored is posted by the re-delivery, once and in order', async () => {
    const posted: OutboxMessage[] = [];
    const seen = new Set<string>();
    let failResults = 0;
    const outbox: OutboxWriter = {
      push: (m) => {
        if (/-result$/.test(m.id) && failResults > 0) {
          failResults -= 1;
          return Promise.reject(new Error('Redis went away'));
        }
        if (seen.has(m.id)) return Promise.resolve(false);
        seen.add(m.id);
        posted.push(m);
        return Promise.resolve(true);
      },
    };
    const prefix = uniquePrefix('stepres');
    const engine = createRunbookEngine({
      redis,
      prefix,
      outbox,
      jobs: { enqueue: () => Promise.resolve({ jobId: 'j', created: true }) },
      approvals: approvalStore({ redis, prefix }),
      runbooks: [RUNBOOK],
      config: testConfig({ approvers: ['U0BOB'] }),
      logger: testLogger(),
    });
    const run = await engine.start({
      runbook: 'two-looks',
      cluster: 'prod',
      params: {},
      thread: { channel: 'C0RES', ts: '1700000000.000100' },
      startedBy: 'U0ALICE',
    });
    const end = (step: string, r: Report) =>
      engine.jobEnded({ run: run.id, step }, outcomeOfReport(r), { report: r });
    // The second look ends first: nothing is due while the first still runs.
    await end('second', report('test.look', 'No alarms'));
    expect(posted.filter((m) => /-result$/.test(m.id))).toEqual([]);
    // The first ends; its step end is stored, then the outbox fails (a crash between the two).
    failResults = 1;
    await expect(end('first', report('test.look', 'All members healthy'))).rejects.toThrow(
      /went away/,
    );
    expect((await readRun(redis, prefix, run.id))?.steps.map((s) => s.status)).toEqual([
      'done',
      'done',
    ]);
    // The worker's retry delivers the same end again: both results, in step order, once each.
    await end('first', report('test.look', 'All members healthy'));
    await end('first', report('test.look', 'All members healthy'));
    const results = posted.filter((m) => /-result$/.test(m.id)).map((m) => m.text);
    expect(results).toHaveLength(2);
    expect(results[0]).toMatch(/^Step 1\/2 · First look/);
    expect(results[1]).toMatch(/^Step 2\/2 · Second look/);
  });
});
