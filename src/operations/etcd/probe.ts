/**
 * Probing members: every call bounded by a deadline, so a dead or silent member
 * never hangs the caller. Results are data, errors included.
 */
import { describeError } from '../../domain/errors.js';
import type { ClusterView, LatencySample, MemberProbe } from '../../domain/etcd.js';
import type { EtcdMember } from './client.js';
import { readEtcdMetrics, readLatencySample } from './metrics.js';

export type Outcome<T> =
  { ok: true; value: T; ms: number } | { ok: false; error: string; ms: number };

/** Settles by `deadline` at the latest, whatever the promise does; never rejects. */
export async function settleBy<T>(work: Promise<T>, deadline: number): Promise<Outcome<T>> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Outcome<T>>((resolve) => {
    const wait = Math.max(0, deadline - started);
    timer = setTimeout(
      () => resolve({ ok: false, error: `no answer within ${wait} ms`, ms: Date.now() - started }),
      wait,
    );
  });
  const done = work.then(
    (value): Outcome<T> => ({ ok: true, value, ms: Date.now() - started }),
    (err: unknown): Outcome<T> => ({
      ok: false,
      error: describeError(err),
      ms: Date.now() - started,
    }),
  );
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What probeMember started: the probe so far, and `finish` for the rest. */
export interface StartedProbe {
  probe: MemberProbe;
  finish(): Promise<MemberProbe>;
  /** The latency histograms of the first /metrics read, set when `finish` resolves. */
  sample?: LatencySample;
}

/** The member's /metrics text, and when it answered (epoch ms). */
export function readMetricsText(member: EtcdMember, deadline: number) {
  return settleBy(
    member.metrics(deadline).then((text) => ({ text, at: Date.now() })),
    deadline,
  );
}

/** Status, health and metrics of one member, all concurrently, all by `deadline`. */
export async function probeMember(member: EtcdMember, deadline: number): Promise<StartedProbe> {
  const status = settleBy(member.status(deadline), deadline);
  const health = settleBy(member.healthRead(deadline), deadline);
  const metrics = readMetricsText(member, deadline);
  const probe: MemberProbe = { endpoint: member.endpoint, healthy: false, applyLag: [] };
  const s = await status;
  if (s.ok) {
    probe.status = s.value;
    probe.applyLag.push(s.value.raftIndex - s.value.raftAppliedIndex);
  } else probe.statusError = s.error;
  /** The rest finishes in the background; `finish` waits for it. */
  const started: StartedProbe = {
    probe,
    finish: async () => {
      const [h, m] = await Promise.all([health, metrics]);
      probe.healthy = h.ok;
      probe.healthMs = h.ms;
      if (!h.ok) probe.healthError = h.error;
      if (m.ok) {
        probe.metrics = readEtcdMetrics(m.value.text, m.value.at);
        started.sample = readLatencySample(m.value.text, m.value.at);
      } else probe.metricsError = m.error;
      return probe;
    },
  };
  return started;
}

/** Member list and alarms from the first member that answers. */
export async function readClusterView(
  members: EtcdMember[],
  deadline: number,
): Promise<ClusterView> {
  const view: ClusterView = {};
  for (const m of members) {
    if (view.members && view.alarms) break;
    if (!view.members) {
      const r = await settleBy(m.memberList(deadline), deadline);
      if (r.ok) view.members = r.value;
      else view.membersError = `${m.endpoint}: ${r.error}`;
    }
    if (!view.alarms) {
      const r = await settleBy(m.alarms(deadline), deadline);
      if (r.ok) view.alarms = r.value;
      else view.alarmsError = `${m.endpoint}: ${r.error}`;
    }
  }
  if (view.members) delete view.membersError;
  if (view.alarms) delete view.alarmsError;
  return view;
}
