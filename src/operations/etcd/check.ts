/**
 * `etcd check`: probe every configured member concurrently, each bounded by the
 * timeout, compare HashKV at one revision, and judge with the rules in
 * check-rules.ts. Returns a Report; never throws for an unhealthy cluster.
 */
import type { EtcdCheckReport, MemberProbe, QuotaSource } from '../../domain/etcd.js';
import type { Thresholds } from '../../config/schema.js';
import type { EtcdConnector, EtcdMember } from './client.js';
import { checkFindings, type CheckFacts } from './check-rules.js';
import { probeMember, readClusterView, settleBy } from './probe.js';

export interface EtcdCheckInput {
  cluster: string;
  endpoints: readonly string[];
  metricsUrls?: readonly string[];
  /** From the config; the members' own /metrics value wins when exposed. */
  quotaBackendBytes?: number;
  timeoutMs: number;
  thresholds: Thresholds;
}

const DEFAULT_QUOTA = 2 * 2 ** 30;

export async function checkEtcd(
  connect: EtcdConnector,
  input: EtcdCheckInput,
): Promise<EtcdCheckReport> {
  const startedAt = new Date();
  const deadline = startedAt.getTime() + input.timeoutMs;
  const members = input.endpoints.map((e, i) => connect(e, input.metricsUrls?.[i]));
  try {
    const started = await Promise.all(members.map((m) => probeMember(m, deadline)));
    const reachable = members.filter((_, i) => started[i]?.probe.status);
    // Statuses are in; the second phase gets half the timeout of its own, so hashes
    // are still compared when a silent member used up the first phase.
    const phase2 = Date.now() + input.timeoutMs / 2;
    const [view, , probes] = await Promise.all([
      readClusterView(reachable, phase2),
      compareHashes(
        members,
        started.map((s) => s.probe),
        phase2,
      ),
      Promise.all(started.map((s) => s.finish())),
    ]);
    const quota = pickQuota(probes, input.quotaBackendBytes);
    const facts: CheckFacts = { probes, view, quota, thresholds: input.thresholds };
    const findings = checkFindings(facts);
    return {
      kind: 'etcd.check',
      cluster: input.cluster,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      findings,
      couldNotRun: reachable.length === 0 ? 'No etcd member answered.' : undefined,
      data: {
        endpoints: [...input.endpoints],
        timeoutMs: input.timeoutMs,
        probes,
        view,
        quota,
        hashRevision: probes.find((p) => p.hash)?.hash?.revision,
      },
    };
  } finally {
    for (const m of members) m.close();
  }
}

/** HashKV of every reachable member at the lowest revision they all have; a second status for apply lag. */
async function compareHashes(
  members: EtcdMember[],
  probes: MemberProbe[],
  deadline: number,
): Promise<void> {
  const revisions = probes.flatMap((p) => (p.status ? [p.status.revision] : []));
  if (revisions.length === 0) return;
  const revision = Math.min(...revisions);
  await Promise.all(
    members.map(async (m, i) => {
      const probe = probes[i];
      if (!probe?.status) return;
      const [hash, again] = await Promise.all([
        settleBy(m.hashKV(revision, deadline), deadline),
        settleBy(m.status(deadline), deadline),
      ]);
      if (hash.ok) probe.hash = { ...hash.value, revision };
      else probe.hashError = hash.error;
      if (again.ok) probe.applyLag.push(again.value.raftIndex - again.value.raftAppliedIndex);
    }),
  );
}

function pickQuota(probes: MemberProbe[], configured?: number): QuotaSource {
  const fromMetrics = probes
    .map((p) => p.metrics?.quotaBackendBytes)
    .find((q) => q !== undefined && q > 0);
  if (fromMetrics !== undefined) return { bytes: fromMetrics, source: 'metrics' };
  if (configured !== undefined) return { bytes: configured, source: 'config' };
  return { bytes: DEFAULT_QUOTA, source: 'default' };
}
