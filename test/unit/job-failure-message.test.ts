/**
 * What a failed job's thread is told (reporter.failure): a QuorumError's message, hint and
 * code; a failed file access as FILE_ACCESS_FAILED; anything else as INTERNAL with the job
 * id, its text (stack, Redis or socket errors) only in the log. The outbox is recorded.
 */
import { describe, expect, it } from 'vitest';
import { QuorumError } from '../../src/domain/errors.js';
import type { OutboxMessage, OutboxWriter } from '../../src/domain/outbox-message.js';
import { createReporter, type JobInfo } from '../../src/transport/queue/reporter.js';

const job: JobInfo = {
  id: 'etcd.check@t1',
  title: 'etcd check of prod',
  what: 'etcd check',
  kind: 'etcd.check',
  cluster: 'prod',
  requestedBy: 'U0ALICE',
};
const target = { kind: 'slack' as const, channel: 'C0OPS', threadTs: '1.1', rootTs: '1.1' };

function recorded() {
  const pushed: OutboxMessage[] = [];
  const outbox: OutboxWriter = {
    push: (m) => {
      pushed.push(m);
      return Promise.resolve(true);
    },
  };
  const logs: string[] = [];
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (_: object, m?: string) => void logs.push(m ?? ''),
    error: (_: object, m?: string) => void logs.push(m ?? ''),
  };
  const reporter = createReporter({ outbox, logger, stdout: () => undefined });
  const reply = () => {
    const post = pushed.find((m) => m.op === 'post')!;
    return { text: post.text, blocks: JSON.stringify(post.blocks ?? []) };
  };
  return { reporter, reply, logs };
}

describe('a failed job in its thread', () => {
  it('a QuorumError: its message, what to do, and the code', async () => {
    const { reporter, reply } = recorded();
    const err = new QuorumError(
      'ETCD_UNREACHABLE',
      'No etcd member answered.',
      'Check the endpoints.',
    );
    await reporter.failure(target, job, err);
    expect(reply().text).toBe(':x: etcd check of prod failed: No etcd member answered.');
    expect(reply().blocks).toContain('*What to do:* Check the endpoints.');
    expect(reply().blocks).toContain('Error code `ETCD_UNREACHABLE`');
  });

  it('an unexpected error: INTERNAL and the job id, never its text', async () => {
    const { reporter, reply } = recorded();
    const err = new Error('connect ECONNREFUSED 10.0.0.9:6379\n    at TCPConnectWrap.afterConnect');
    await reporter.failure(target, job, err);
    const { text, blocks } = reply();
    expect(text).toMatch(/^:x: etcd check of prod failed: Quorum could not do that \(INTERNAL\)/);
    expect(blocks).toContain('job etcd.check@t1');
    expect(blocks).toContain('Error code `INTERNAL`');
    for (const internal of ['ECONNREFUSED', '10.0.0.9', 'TCPConnectWrap'])
      expect(text + blocks).not.toContain(internal);
  });

  it('a failed file access: the path and what to do', async () => {
    const { reporter, reply } = recorded();
    const err = Object.assign(new Error("ENOTDIR: not a directory, scandir '/srv/snaps/x'"), {
      code: 'ENOTDIR',
      syscall: 'scandir',
      path: '/srv/snaps/x',
    });
    await reporter.failure(target, job, err);
    expect(reply().text).toMatch(/failed: ENOTDIR: not a directory/);
    expect(reply().blocks).toContain('A part of /srv/snaps/x is not a directory');
    expect(reply().blocks).toContain('Error code `FILE_ACCESS_FAILED`');
  });

  it('a reason Quorum wrote (a refused job) is shown as it is', async () => {
    const { reporter, reply } = recorded();
    await reporter.failure(target, job, 'etcd.defrag needs an approval');
    expect(reply().text).toBe(':x: etcd check of prod failed: etcd.defrag needs an approval');
  });

  it('the worker’s own log (terminal target) keeps the internal text', async () => {
    const { reporter, logs } = recorded();
    await reporter.failure({ kind: 'terminal' }, job, new Error('WRONGTYPE Operation'));
    expect(logs).toEqual([':x: etcd check of prod failed: WRONGTYPE Operation']);
  });
});
