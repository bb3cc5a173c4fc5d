/**
 * Taking a snapshot an operator can bet the cluster on: from a healthy follower,
 * streamed into the cluster's snapshot store (a directory, or S3) while its trailing
 * SHA-256 is checked (snapshot-stream.ts), then committed: made durable, read back
 * and compared, and only then described by its metadata. Memory stays flat at any size.
 * A failed check or a failing store aborts the write and is a crit finding; a killed
 * process leaves only a leftover that the next run (or `quorum etcd prune`) cleans up.
 */
import { describeError } from '../../domain/errors.js';
import type { Finding, Incomplete, Report } from '../../domain/report.js';
import type { ProgressFn, SnapshotMeta } from '../../domain/snapshot.js';
import type { EtcdConnector } from './client.js';
import { pickSnapshotMember } from './pick-member.js';
import { settleBy } from './probe.js';
import { countSnapshotKeys } from './snapshot-counts.js';
import { snapshotFileName, snapshotId } from './snapshot-names.js';
import { streamIntoSink } from './snapshot-stream.js';
import type { AbortOutcome, SnapshotStore, StoreCleanup } from './store/snapshot-store.js';

export interface SnapshotInput {
  cluster: string;
  endpoints: readonly string[];
  /** Where the snapshot goes (operations/etcd/store/). */
  store: SnapshotStore;
  compress: boolean;
  requestedBy: string;
  /** Bound on choosing the member, and on silence in the stream. */
  timeoutMs: number;
  now?: () => Date;
  onProgress?: ProgressFn;
}

export interface SnapshotData {
  meta?: SnapshotMeta;
  /** Where it was stored: an absolute path, or `s3://bucket/key`. */
  path?: string;
  /** Leftovers of killed runs that this run removed (temp files, unfinished uploads). */
  cleanedUp: string[];
}

export type SnapshotReport = Report<SnapshotData>;

export async function takeSnapshot(
  connect: EtcdConnector,
  input: SnapshotInput,
): Promise<SnapshotReport> {
  const now = input.now ?? (() => new Date());
  const startedAt = now();
  const cleanup = await input.store.prepare();
  const members = input.endpoints.map((e) => connect(e));
  const report = (
    data: Omit<SnapshotData, 'cleanedUp'>,
    findings: Finding[],
    incomplete?: Incomplete,
  ): SnapshotReport => ({
    kind: 'etcd.snapshot',
    cluster: input.cluster,
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    findings: [...findings, ...noteFindings(cleanup)],
    incomplete,
    data: { ...data, cleanedUp: cleanup.cleaned },
  });
  try {
    const picked = await pickSnapshotMember(members, Date.now() + input.timeoutMs);
    const deadline = Date.now() + input.timeoutMs;
    // Independent reads, at once: each round trip is time before the stream starts.
    const [memberList, status, existing] = await Promise.all([
      settleBy(picked.member.memberList(deadline), deadline),
      // The revision from status just before streaming: etcd 3.4 sends no header with the chunks.
      picked.member.status(deadline),
      input.store.list(input.cluster),
    ]);
    const list = memberList.ok ? memberList.value : [];
    const name = list.find((m) => m.id === picked.status.memberId)?.name || picked.status.memberId;
    // Two snapshots in one second at one revision (an idle cluster) must not share an id.
    const taken = new Set(existing.map((e) => e.id));
    const file = snapshotFileName(input.cluster, startedAt, status.revision, input.compress, taken);
    // For drills: the keys at the revision the snapshot starts from (none when it cannot count),
    // counted while the stream runs: a count at a fixed revision does not depend on it.
    const counting = countSnapshotKeys(picked.member, status.revision, input.timeoutMs);
    input.onProgress?.({
      step: `streaming from ${name}${picked.isLeader ? ' (the leader: no healthy follower)' : ''}`,
    });
    const sink = await input.store.create(file);
    const [stored, counts] = await Promise.all([
      streamIntoSink(picked.member, sink, input),
      counting,
    ]);
    if (stored.problem) {
      const aborted = await sink.abort();
      const what = stored.storeFailed
        ? `Snapshot from ${name} could not be stored in ${input.store.location}: ${stored.problem}`
        : `Snapshot from ${name} failed verification: ${stored.problem}`;
      return failed(report, aborted, what, stored.storeFailed ? 'store' : 'verify');
    }
    const finishedAt = now();
    const meta: SnapshotMeta = {
      format: 1,
      id: snapshotId(file),
      file,
      cluster: input.cluster,
      member: { id: status.memberId, name, endpoint: picked.member.endpoint },
      etcdVersion: status.version,
      revision: status.revision,
      size: stored.size,
      streamSize: stored.streamSize,
      sha256: stored.sha256,
      compressed: input.compress,
      verified: true,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      requestedBy: input.requestedBy,
      members: list,
      ...(counts ? { counts } : {}),
    };
    input.onProgress?.({ step: `reading back what ${input.store.location} stored` });
    const committed = await sink.commit(meta).catch(async (err: unknown) => {
      const aborted = await sink.abort();
      return { ok: false as const, problem: describeError(err), aborted };
    });
    if (!committed.ok) {
      const aborted = 'aborted' in committed ? committed.aborted : { cleaned: [] };
      const what = `Snapshot ${meta.id} could not be kept in ${input.store.location}: ${committed.problem}`;
      return failed(report, aborted, what, 'store');
    }
    return report({ meta, path: committed.location }, [
      {
        id: 'etcd.snapshot',
        severity: 'ok',
        title: `Snapshot ${meta.id} saved and verified`,
        detail: committed.location,
      },
    ]);
  } finally {
    for (const m of members) m.close();
  }
}

type MakeReport = (
  data: Omit<SnapshotData, 'cleanedUp'>,
  findings: Finding[],
  incomplete?: Incomplete,
) => SnapshotReport;

/** Nothing was kept: a crit finding, and what the abort left behind, if anything. */
function failed(
  report: MakeReport,
  aborted: AbortOutcome,
  title: string,
  part: 'verify' | 'store',
): SnapshotReport {
  const findings: Finding[] = [
    {
      id: `etcd.snapshot.${part}`,
      severity: 'crit',
      title,
      detail: aborted.leftover
        ? 'Nothing was kept as a snapshot; see below for what remains in the store.'
        : 'What was written was removed; nothing was kept.',
      remedy:
        part === 'verify'
          ? 'Run `quorum etcd check`; take the snapshot again, from another member if this one is unhealthy.'
          : 'Check that the store is reachable and has room (`quorum etcd snapshots` reads it), then take the snapshot again.',
    },
  ];
  if (aborted.leftover) {
    findings.push({
      id: 'etcd.snapshot.leftover',
      severity: 'warn',
      title: `Not cleaned up: ${aborted.leftover}`,
      detail: 'No listing shows it: a snapshot counts only once its metadata is written.',
      remedy:
        '`quorum etcd prune` removes it once the store answers (where the server can list unfinished uploads); on a bucket, add the lifecycle rule AbortIncompleteMultipartUpload (e.g. after 1 day).',
    });
  }
  return report({}, findings, {
    how: 'stopped',
    reason: `${title.replace(/^Snapshot /, 'the snapshot ')}; nothing was kept`,
  });
}

/** What preparing the store could not do, said as info (e.g. a server that cannot list uploads). */
function noteFindings(cleanup: StoreCleanup): Finding[] {
  return cleanup.notes.map((title) => ({ id: 'etcd.snapshot.store', severity: 'info', title }));
}
