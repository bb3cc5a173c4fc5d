/**
 * Consistency: HashKV of every reachable member at one revision they all have.
 *
 * The lowest revision the members report is normally the one to hash. On an idle
 * cluster compacted to its current revision (the state after a NOSPACE recovery),
 * etcd 3.4 refuses a hash at exactly the compacted revision (`required revision has
 * been compacted`) while 3.5 answers; `etcdctl endpoint hashkv` asks for revision 0
 * (each member's current one). So: hash at the lowest revision; when a member says
 * it is compacted, hash at 0 and compare when every member answered at the same
 * revision, else try again at the lowest of those (writes moved on past the
 * compaction). A few rounds at most, all by the deadline.
 */
import type { KvHash, MemberProbe } from '../../domain/etcd.js';
import { RevisionCompactedError, type EtcdMember } from './client.js';
import { settleBy, type Outcome } from './probe.js';

const ROUNDS = 3;

type HashOutcome = Outcome<KvHash> & { compacted?: boolean };
type Hashes = (HashOutcome | undefined)[];

/** Sets `hash` or `hashError` on every probe that has a status; samples apply lag again. */
export async function compareHashes(
  members: readonly EtcdMember[],
  probes: MemberProbe[],
  deadline: number,
): Promise<void> {
  const revisions = probes.flatMap((p) => (p.status ? [p.status.revision] : []));
  if (revisions.length === 0) return;
  const [hashes] = await Promise.all([
    hashUntilComparable(members, probes, Math.min(...revisions), deadline),
    sampleApplyLag(members, probes, deadline),
  ]);
  hashes.forEach((h, i) => {
    const probe = probes[i];
    if (!probe || !h) return;
    if (h.ok) probe.hash = h.value;
    else probe.hashError = h.error;
  });
}

async function hashUntilComparable(
  members: readonly EtcdMember[],
  probes: readonly MemberProbe[],
  first: number,
  deadline: number,
): Promise<Hashes> {
  let revision = first;
  let hashes: Hashes = [];
  for (let round = 0; round < ROUNDS && Date.now() < deadline; round++) {
    hashes = await hashAll(members, probes, revision, deadline);
    if (!hashes.some(isCompacted)) return hashes;
    // Compacted at `revision` on some member: each member's current revision instead.
    hashes = await hashAll(members, probes, 0, deadline);
    const at = new Set(hashes.flatMap((h) => (h?.ok ? [h.value.revision] : [])));
    if (at.size <= 1) return hashes;
    revision = Math.min(...at);
  }
  return hashes;
}

function hashAll(
  members: readonly EtcdMember[],
  probes: readonly MemberProbe[],
  revision: number,
  deadline: number,
): Promise<Hashes> {
  return Promise.all(
    members.map((m, i) =>
      probes[i]?.status ? hashOne(m, revision, deadline) : Promise.resolve(undefined),
    ),
  );
}

async function hashOne(m: EtcdMember, revision: number, deadline: number): Promise<HashOutcome> {
  let compacted = false;
  const work = m.hashKV(revision, deadline).catch((err: unknown) => {
    compacted = err instanceof RevisionCompactedError;
    throw err;
  });
  const outcome = await settleBy(work, deadline);
  return outcome.ok ? outcome : { ...outcome, compacted };
}

const isCompacted = (h: HashOutcome | undefined): boolean => h?.compacted === true;

async function sampleApplyLag(
  members: readonly EtcdMember[],
  probes: MemberProbe[],
  deadline: number,
): Promise<void> {
  await Promise.all(
    members.map(async (m, i) => {
      const probe = probes[i];
      if (!probe?.status) return;
      const again = await settleBy(m.status(deadline), deadline);
      if (again.ok) probe.applyLag.push(again.value.raftIndex - again.value.raftAppliedIndex);
    }),
  );
}
