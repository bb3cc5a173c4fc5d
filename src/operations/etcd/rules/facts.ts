/** What every etcd check rule reads, and small helpers they share. */
import type { EtcdThresholds as Thresholds } from '../../../domain/thresholds.js';
import { probeLabel } from '../../../domain/etcd.js';
import type { ClusterView, MemberProbe, QuotaSource } from '../../../domain/etcd.js';

export interface CheckFacts {
  probes: MemberProbe[];
  view: ClusterView;
  quota: QuotaSource;
  thresholds: Thresholds;
}

export const NO_LEADER = '0000000000000000';

/** Member names by ID, for messages. */
export function memberName(view: ClusterView, id: string): string {
  return view.members?.find((m) => m.id === id)?.name || id;
}

export const label = (f: CheckFacts, p: MemberProbe) => probeLabel(f.view, p);
