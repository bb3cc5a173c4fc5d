/**
 * The etcd adapter throws typed errors (operations/etcd/client.ts), classified by etcd3's
 * classes and gRPC codes, so operations check `instanceof`, never message text. Against
 * real etcd: compaction at a compacted revision, a future revision, deadlines, a member
 * that is not there, and — with auth on — a wrong password, no user, and a user whose
 * role lacks the permission. Messages stay what an operator needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcd3Connector } from '../../src/clients/etcd3-member.js';
import {
  EtcdAuthError,
  EtcdCallError,
  EtcdDeadlineError,
  EtcdFutureRevisionError,
  EtcdPermissionError,
  EtcdUnavailableError,
  RevisionCompactedError,
  type EtcdMember,
} from '../../src/operations/etcd/client.js';
import { compactCluster } from '../../src/operations/etcd/compact.js';
import { QuorumError } from '../../src/domain/errors.js';
import {
  freePort,
  startEtcd,
  startSilentServer,
  type EtcdCluster,
  type SilentServer,
} from '../support/index.js';

const soon = () => Date.now() + 5_000;
async function thrown(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('typed etcd errors', () => {
  let etcd: EtcdCluster;
  let member: EtcdMember;
  beforeAll(async () => {
    etcd = await startEtcd();
    member = etcd3Connector({})(etcd.endpoints[0]!);
  });
  afterAll(async () => {
    member?.close();
    await etcd?.close();
  });

  it('compaction at a compacted revision is RevisionCompactedError; the operation takes it as done', async () => {
    await etcd.etcdctl(['put', 'k', 'v']);
    const { revision } = await member.status(soon());
    await member.compact(revision, soon());
    const again = await thrown(member.compact(revision, soon()));
    expect(again).toBeInstanceOf(RevisionCompactedError);
    expect(again).toMatchObject({ revision, code: 'ETCD_OPERATION_FAILED' });
    expect(again.message).toBe(`revision ${revision} has been compacted`);
    // A retried compaction job finds the work done: a report, not an error.
    const input = { cluster: 'c', endpoints: etcd.endpoints, timeoutMs: 5_000 };
    const report = await compactCluster(etcd3Connector({}), input, 10_000);
    expect(report.findings[0]).toMatchObject({
      severity: 'ok',
      title: `Compacted to revision ${revision}`,
    });
  });

  it('a revision newer than the member’s is EtcdFutureRevisionError, not "compacted"', async () => {
    const { revision } = await member.status(soon());
    for (const work of [
      () => member.compact(revision + 1_000, soon()),
      () => member.hashKV(revision + 1_000, soon()),
    ]) {
      const err = await thrown(work());
      expect(err).toBeInstanceOf(EtcdFutureRevisionError);
      expect(err).not.toBeInstanceOf(RevisionCompactedError);
      expect(err).toMatchObject({ revision: revision + 1_000 });
    }
  });

  it('a deadline that passes is EtcdDeadlineError (ETCD_UNREACHABLE), from etcd or a silent endpoint', async () => {
    const past = await thrown(member.status(Date.now() - 1));
    expect(past).toBeInstanceOf(EtcdDeadlineError);
    const silent: SilentServer = await startSilentServer();
    const mute = etcd3Connector({})(silent.url);
    try {
      const started = Date.now();
      const err = await thrown(mute.status(Date.now() + 300));
      expect(err).toBeInstanceOf(EtcdDeadlineError);
      expect(err).toMatchObject({
        code: 'ETCD_UNREACHABLE',
        message: 'no answer before the deadline',
      });
      expect((err as QuorumError).hint).toMatch(/quorum etcd check/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      mute.close();
      await silent.close();
    }
  });

  it('nothing listening is EtcdUnavailableError, with the short message operators read', async () => {
    const port = await freePort();
    const gone = etcd3Connector({})(`http://127.0.0.1:${port}`);
    try {
      const err = await thrown(gone.status(soon()));
      expect(err).toBeInstanceOf(EtcdUnavailableError);
      expect(err).toMatchObject({
        code: 'ETCD_UNREACHABLE',
        message: `connect ECONNREFUSED 127.0.0.1:${port}`,
      });
      // The snapshot stream's errors arrive uncast (a bare gRPC code): the same kind.
      const stream = await thrown(
        (async () => {
          for await (const _ of gone.snapshot(new AbortController().signal)) break;
        })(),
      );
      expect(stream).toBeInstanceOf(EtcdUnavailableError);
    } finally {
      gone.close();
    }
  });
});

describe('typed etcd errors with auth on', () => {
  const rootPassword = 'root-pw';
  let etcd: EtcdCluster;
  let bob: EtcdMember;
  beforeAll(async () => {
    etcd = await startEtcd({ auth: { rootPassword } });
    // bob may read keys under x only: no Secrets, no maintenance.
    for (const args of [
      ['user', 'add', 'bob', '--new-user-password=bob-pw', '--interactive=false'],
      ['role', 'add', 'reader'],
      ['role', 'grant-permission', 'reader', 'read', 'x'],
      ['user', 'grant-role', 'bob', 'reader'],
    ]) {
      const r = await etcd.etcdctl(args);
      expect(r.code, r.stderr).toBe(0);
    }
    bob = etcd3Connector({ auth: { username: 'bob', password: 'bob-pw' } })(etcd.endpoints[0]!);
  });
  afterAll(async () => {
    bob?.close();
    await etcd?.close();
  });

  it('a role without the permission is EtcdPermissionError (ETCD_ACCESS_DENIED), on reads and maintenance', async () => {
    const read = await thrown(bob.rangeKeys('/registry/', { limit: 10 }, soon()));
    expect(read).toBeInstanceOf(EtcdPermissionError);
    expect(read).toMatchObject({
      code: 'ETCD_ACCESS_DENIED',
      message: 'etcdserver: permission denied',
    });
    // Maintenance answers etcd's auth errors as gRPC UNKNOWN: still the same kind.
    const defrag = await thrown(bob.defragment(soon()));
    expect(defrag).toBeInstanceOf(EtcdPermissionError);
    expect(defrag.message).toBe('auth: permission denied');
    const snapshot = await thrown(
      (async () => {
        for await (const _ of bob.snapshot(new AbortController().signal)) break;
      })(),
    );
    expect(snapshot).toBeInstanceOf(EtcdPermissionError);
  });

  it('a permission error still proves the linearizable round trip of the health read', async () => {
    await expect(bob.healthRead(soon())).resolves.toBeUndefined();
  });

  it('refused credentials are EtcdAuthError: a wrong password, or no user at all', async () => {
    const wrong = etcd3Connector({ auth: { username: 'bob', password: 'nope' } })(
      etcd.endpoints[0]!,
    );
    const anonymous = etcd3Connector({})(etcd.endpoints[0]!);
    try {
      const err = await thrown(wrong.status(soon()));
      expect(err).toBeInstanceOf(EtcdAuthError);
      expect(err).toMatchObject({
        code: 'ETCD_ACCESS_DENIED',
        message: 'etcdserver: authentication failed, invalid user ID or password',
      });
      expect((err as QuorumError).hint).toMatch(/ETCDCTL_USER/);
      // No user: the health read is refused (it proves nothing), not taken as a permission error.
      const none = await thrown(anonymous.healthRead(soon()));
      expect(none).toBeInstanceOf(EtcdAuthError);
      expect(none.message).toBe('etcdserver: user name is empty');
    } finally {
      wrong.close();
      anonymous.close();
    }
  });

  it('every failure is an EtcdCallError carrying a code and a hint', async () => {
    const err = await thrown(bob.hashKV(0, soon()));
    expect(err).toBeInstanceOf(EtcdCallError);
    expect(err).toBeInstanceOf(QuorumError);
    expect((err as QuorumError).hint).toMatch(/root role/);
  });
});
