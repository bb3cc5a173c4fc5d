/**
 * What the etcd operations observe and report: member status, membership,
 * alarms, hashes, metrics, and the etcd check's report data.
 */
import type { Report } from './report.js';

export interface MemberStatus {
  memberId: string;
  version: string;
  dbSize: number;
  dbSizeInUse: number;
  leader: string;
  raftTerm: number;
  raftIndex: number;
  raftAppliedIndex: number;
  isLearner: boolean;
  errors: string[];
  /** The store revision when the status was taken. */
  revision: number;
}

export interface MemberInfo {
  id: string;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

export interface AlarmInfo {
  memberId: string;
  /** `NOSPACE` or `CORRUPT`. */
  alarm: string;
}

export interface KvHash {
  hash: number;
  compactRevision: number;
  /** The revision the hash covers. */
  revision: number;
}

/** A cumulative Prometheus histogram as read from /metrics (seconds). */
export interface HistogramSample {
  /** Finite upper bounds, ascending. */
  le: number[];
  /** Observations at or below each bound (cumulative, as exposed). */
  cumulative: number[];
  /** Every observation: the `+Inf` bucket. */
  count: number;
}

/** The disk-latency histograms of one member at one moment: what a window is measured between. */
export interface LatencySample {
  /** When /metrics answered, epoch ms. */
  at: number;
  /** process_start_time_seconds: a different value means the member restarted. */
  processStart?: number;
  walFsync?: HistogramSample;
  backendCommit?: HistogramSample;
}

/** p99 of the observations made inside a window; none when the histogram is missing or empty. */
export interface WindowQuantile {
  observations: number;
  p99Ms?: number;
}

/** Disk latency between two samples of one member, as `rate(…[window])` sees it. */
export interface LatencyWindow {
  /** Epoch ms of the two samples. */
  from: number;
  to: number;
  /** `previous-check`: from the sample the last check of this member kept; `this-check`: the check's own two reads. */
  base: 'previous-check' | 'this-check';
  /** Why the previous check's sample was not used (member restarted, unreadable), if it was not. */
  note?: string;
  walFsync: WindowQuantile;
  backendCommit: WindowQuantile;
}

export interface EtcdMetrics {
  /** p99 of WAL fsync, in ms, over the member's lifetime (since it started); undefined with no samples. */
  walFsyncP99Ms?: number;
  /** p99 of backend commit, in ms, over the member's lifetime. */
  backendCommitP99Ms?: number;
  /** Latency in a recent window: what the latency findings judge. */
  window?: LatencyWindow;
  leaderChanges?: number;
  hasLeader?: boolean;
  quotaBackendBytes?: number;
  /** Seconds since the member process started. */
  uptimeSeconds?: number;
}

export interface MemberProbe {
  endpoint: string;
  status?: MemberStatus;
  statusError?: string;
  healthy: boolean;
  healthError?: string;
  /** Round trip of the linearizable read, ms. */
  healthMs?: number;
  metrics?: EtcdMetrics;
  metricsError?: string;
  hash?: KvHash;
  hashError?: string;
  /** raftIndex − raftAppliedIndex, sampled at the start and the end of the check. */
  applyLag: number[];
}

export interface ClusterView {
  members?: MemberInfo[];
  membersError?: string;
  alarms?: AlarmInfo[];
  alarmsError?: string;
}

export interface QuotaSource {
  bytes: number;
  source: 'metrics' | 'config' | 'default';
}

export interface EtcdCheckData {
  endpoints: string[];
  timeoutMs: number;
  probes: MemberProbe[];
  view: ClusterView;
  quota: QuotaSource;
  /** The revision HashKV compared at. */
  hashRevision?: number;
}

export type EtcdCheckReport = Report<EtcdCheckData>;

const sameUrl = (a: string, b: string) => a.replace(/\/$/, '') === b.replace(/\/$/, '');

/** The member a probe reached: by the ID it answered with, else by its client URL. */
export function memberOfProbe(view: ClusterView, probe: MemberProbe): MemberInfo | undefined {
  const members = view.members ?? [];
  const id = probe.status?.memberId;
  return (
    (id ? members.find((m) => m.id === id) : undefined) ??
    members.find((m) => m.clientUrls.some((u) => sameUrl(u, probe.endpoint)))
  );
}

/** `m1 (https://10.0.0.11:2379)`, or the bare endpoint when the member is unknown. */
export function probeLabel(view: ClusterView, probe: MemberProbe): string {
  const m = memberOfProbe(view, probe);
  return m?.name ? `${m.name} (${probe.endpoint})` : probe.endpoint;
}
