/** Choosing the member to read from: a healthy follower, so the leader carries no extra load. */
import { QuorumError } from '../../domain/errors.js';
import type { MemberStatus } from '../../domain/etcd.js';
import type { EtcdMember } from './client.js';
import { settleBy } from './probe.js';
import { NO_LEADER } from './rules/facts.js';

export interface Picked {
  member: EtcdMember;
  status: MemberStatus;
  isLeader: boolean;
}

/** A follower that answers and sees a leader; else the leader; else ETCD_UNREACHABLE. */
export async function pickSnapshotMember(members: EtcdMember[], deadline: number): Promise<Picked> {
  const seen = await Promise.all(members.map((m) => settleBy(m.status(deadline), deadline)));
  const candidates: Picked[] = [];
  const errors: string[] = [];
  seen.forEach((s, i) => {
    const member = members[i] as EtcdMember;
    if (!s.ok) errors.push(`${member.endpoint}: ${s.error}`);
    else if (s.value.leader === NO_LEADER) errors.push(`${member.endpoint}: sees no leader`);
    else
      candidates.push({ member, status: s.value, isLeader: s.value.leader === s.value.memberId });
  });
  const pick = candidates.find((c) => !c.isLeader) ?? candidates[0];
  if (!pick) {
    throw new QuorumError(
      'ETCD_UNREACHABLE',
      `No healthy etcd member to read from: ${errors.join('; ')}`,
      'Run `quorum etcd check` to see what is wrong with the cluster.',
    );
  }
  return pick;
}
