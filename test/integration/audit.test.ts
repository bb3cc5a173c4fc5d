import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realCliDeps } from '../../src/deps.js';
import { appendAudit, readAudit, type AuditEvent } from '../../src/state/audit.js';
import { DEFAULT_PREFIX } from '../../src/transport/queue/names.js';
import { auditLogCommand } from '../../src/transport/cli/commands/audit-log.js';
import { cleanEnv } from '../support/cli.js';
import { freePort, startRedis, type RedisServer } from '../support/index.js';

const HOUR = 3_600_000;

async function runAuditLog(args: string[], vars: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const env = cleanEnv({ LOG_LEVEL: 'silent', ...vars });
  const started = Date.now();
  const code = await auditLogCommand(
    args,
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env },
    realCliDeps(env),
  );
  return { code, stdout, stderr, ms: Date.now() - started };
}

describe('audit log in real Redis', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.close();
  });

  it('round-trips events, oldest first, and filters by time', async () => {
    const prefix = `test:${randomUUID()}`;
    const now = Date.now();
    const events: AuditEvent[] = [
      { type: 'command', who: 'U0OLD', cluster: 'prod', action: 'etcd.check', at: now - 48 * HOUR },
      {
        type: 'approval.requested',
        who: 'U0ALICE',
        cluster: 'prod',
        action: 'etcd.defrag',
        params: { members: 'all' },
        at: now - 2 * HOUR,
      },
      {
        type: 'approval.decided',
        who: 'U0BOB',
        cluster: 'prod',
        action: 'etcd.defrag',
        outcome: 'approved',
        detail: 'request abc',
        at: now - HOUR,
      },
      {
        type: 'job.finished',
        who: 'worker',
        cluster: 'prod',
        action: 'etcd.defrag',
        outcome: 'ok',
        at: now,
      },
    ];
    for (const e of events) await appendAudit(redis, prefix, e);

    const all = await readAudit(redis, prefix);
    expect(all.map(({ id: _id, ...rest }) => rest)).toEqual(events);
    expect(all.every((e) => /^\d+-\d+$/.test(e.id))).toBe(true);

    const recent = await readAudit(redis, prefix, { sinceMs: now - 24 * HOUR });
    expect(recent.map((e) => e.who)).toEqual(['U0ALICE', 'U0BOB', 'worker']);
    expect(await readAudit(redis, prefix, { sinceMs: now - 24 * HOUR, limit: 2 })).toHaveLength(2);
    expect(await readAudit(redis, `test:${randomUUID()}`)).toEqual([]);
  });

  it('stores plain strings, caps the stream and redacts secret-named params', async () => {
    const prefix = `test:${randomUUID()}`;
    for (let i = 0; i < 300; i++) {
      await appendAudit(
        redis,
        prefix,
        {
          type: 'command',
          who: 'U0ALICE',
          cluster: 'prod',
          action: 'runbook.run',
          params: { id: 'etcd-nospace', apiToken: 'xoxb-not-for-the-log', n: String(i) },
          at: Date.now(),
        },
        100,
      );
    }
    const len = await redis.xlen(`${prefix}:audit`);
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThan(300);
    const raw = await redis.xrange(`${prefix}:audit`, '-', '+', 'COUNT', 1);
    expect(raw[0]![1].every((v) => typeof v === 'string')).toBe(true);
    expect(JSON.stringify(raw)).not.toContain('xoxb-not-for-the-log');
    const [last] = (await readAudit(redis, prefix)).slice(-1);
    expect(last?.params).toEqual({ id: 'etcd-nospace', apiToken: '[redacted]', n: '299' });
  });

  it('prints the log with `quorum audit-log --since`', async () => {
    await redis.del(`${DEFAULT_PREFIX}:audit`);
    const now = Date.now();
    const base = { cluster: 'prod', action: 'etcd.defrag' };
    await appendAudit(redis, DEFAULT_PREFIX, {
      ...base,
      type: 'command',
      who: 'U0ANCIENT',
      at: now - 72 * HOUR,
    });
    await appendAudit(redis, DEFAULT_PREFIX, {
      ...base,
      type: 'approval.decided',
      who: 'U0BOB',
      outcome: 'approved',
      at: now - 3 * HOUR,
    });
    await appendAudit(redis, DEFAULT_PREFIX, {
      ...base,
      type: 'job.finished',
      who: 'worker\u001b[31m',
      outcome: 'ok',
      at: now - 60_000,
    });

    const day = await runAuditLog([], { REDIS_URL: server.url });
    expect(day.code, day.stderr).toBe(0);
    const lines = day.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\)\s+WHO\s+TYPE\s+CLUSTER\s+ACTION\s+OUTCOME/);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+U0BOB\s+approval\.decided\s+prod/);
    expect(day.stdout).toContain('approved');
    expect(day.stdout).not.toContain('U0ANCIENT');
    expect(day.stdout).not.toContain('\u001b');
    expect(day.stdout).toMatch(/2 events since/);

    const hour = await runAuditLog(['--since', '1h', '--json'], { REDIS_URL: server.url });
    expect(hour.code).toBe(0);
    const parsed = JSON.parse(hour.stdout) as { type: string }[];
    expect(parsed.map((e) => e.type)).toEqual(['job.finished']);

    const week = await runAuditLog(['--since', '7d'], { REDIS_URL: server.url });
    expect(week.stdout).toContain('U0ANCIENT');

    // Bad flags are USAGE errors, which runCli turns into a message and exit 3.
    await expect(runAuditLog(['--since', 'yesterday'], { REDIS_URL: server.url })).rejects.toThrow(
      /--since "yesterday" is not a duration/,
    );
  });

  it('exits 3 quickly with a clear message when Redis is unreachable', async () => {
    const port = await freePort();
    const r = await runAuditLog([], { REDIS_URL: `redis://:hunter2@127.0.0.1:${port}` });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /cannot read the audit log from Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/,
    );
    expect(r.stderr).toMatch(/ECONNREFUSED/);
    expect(r.stderr).toMatch(/REDIS_URL/);
    expect(r.stderr).not.toContain('hunter2');
    expect(r.ms).toBeLessThan(10_000);
  });

  it('exits 3 within the connect timeout when Redis accepts but never answers', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const r = await runAuditLog([], { REDIS_URL: `redis://127.0.0.1:${port}` });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/cannot read the audit log.*no answer within 3 s/);
      expect(r.ms).toBeLessThan(5_000);
    } finally {
      silent.close();
    }
  });
});
