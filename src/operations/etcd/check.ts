/**
 * `etcd check`: probe every configured member concurrently, each bounded by the
 * timeout, compare HashKV at one revision, and judge with the rules in
 * check-rules.ts. Returns a Report; never throws for an unhealthy cluster.
 */
import type { EtcdCheckReport, MemberProbe, QuotaSource } from '../../domain/etcd.js';
import type { EtcdThresholds as Thresholds } from '../../domain/thresholds.js';
import type { EtcdConnector } from './client.js';
import { checkFindings, noAnswerFindings, type CheckFacts } from './check-rules.js';
import { compareHashes } from './hash-compare.js';
import { measureLatency, type LatencySamples } from './latency-step.js';
import { probeMember, readClusterView } from './probe.js';
import { checkMetrics } from './rules/metrics.js';

export interface EtcdCheckInput {
  cluster: string;
  endpoints: readonly string[];
  metricsUrls?: readonly string[];
  /** From the config; the members' own /metrics value wins when exposed. */
  quotaBackendBytes?: number;
  timeoutMs: number;
  thresholds: Thresholds;
  /** Latency samples kept between checks (the worker's, in Redis); without them the window is the check's own. */
  latencySamples?: LatencySamples;
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
    // The end of the latency window: a second /metrics read of each member.
    await measureLatency(members, started, phase2, input.latencySamples);
    const quota = pickQuota(probes, input.quotaBackendBytes);
    const facts: CheckFacts = { probes, view, quota, thresholds: input.thresholds };
    // With no member answering there is no member list and no quorum to judge.
    const findings = reachable.length ? checkFindings(facts) : noAnswerFindings(probes);
    return {
      kind: 'etcd.check',
      cluster: input.cluster,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      findings,
      couldNotRun: reachable.length === 0 ? 'no etcd member answered from here' : undefined,
      metrics: checkMetrics(facts),
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

function pickQuota(probes: MemberProbe[], configured?: number): QuotaSource {
  const fromMetrics = probes
    .map((p) => p.metrics?.quotaBackendBytes)
    .find((q) => q !== undefined && q > 0);
  if (fromMetrics !== undefined) return { bytes: fromMetrics, source: 'metrics' };
  if (configured !== undefined) return { bytes: configured, source: 'config' };
  return { bytes: DEFAULT_QUOTA, source: 'default' };
}
