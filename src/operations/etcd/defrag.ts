/**
 * Defragmentation, member by member: followers first, the leader last, a health
 * check of the whole cluster before each member (defragmenting blocks a member,
 * so every other member must be healthy), stop at the first failure.
 */
import type { MemberProbe } from '../../domain/etcd.js';
import type { Finding, Incomplete, Report } from '../../domain/report.js';
import type { DefragMemberResult, ProgressFn } from '../../domain/snapshot.js';
import { formatBytes, formatDuration } from '../../domain/units.js';
import type { EtcdConnector, EtcdMember } from './client.js';
import { probeMember, readClusterView, settleBy } from './probe.js';

export interface DefragInput {
  cluster: string;
  endpoints: readonly string[];
  timeoutMs: number;
  /** A defrag of a large database takes minutes. */
  defragTimeoutMs: number;
  onProgress?: ProgressFn;
}

export type DefragReport = Report<{ members: DefragMemberResult[] }>;

async function healthOfAll(members: EtcdMember[], timeoutMs: number): Promise<MemberProbe[]> {
  const deadline = Date.now() + timeoutMs;
  const started = await Promise.all(members.map((m) => probeMember(m, deadline)));
  return Promise.all(started.map((s) => s.finish()));
}

export async function defragCluster(
  connect: EtcdConnector,
  input: DefragInput,
): Promise<DefragReport> {
  const startedAt = new Date().toISOString();
  const members = input.endpoints.map((e) => connect(e));
  const results: DefragMemberResult[] = [];
  const findings: Finding[] = [];
  try {
    const first = await healthOfAll(members, input.timeoutMs);
    const view = await readClusterView(
      members.filter((_, i) => first[i]?.status),
      Date.now() + input.timeoutMs,
    );
    const nameOf = (p: MemberProbe) =>
      view.members?.find((m) => m.id === p.status?.memberId)?.name || p.endpoint;
    const order = members
      .map((member, i) => ({ member, probe: first[i] as MemberProbe }))
      .sort((a, b) => Number(isLeader(a.probe)) - Number(isLeader(b.probe)));
    for (const [n, { member, probe }] of order.entries()) {
      const result: DefragMemberResult = {
        name: nameOf(probe),
        endpoint: member.endpoint,
        isLeader: isLeader(probe),
      };
      results.push(result);
      const sick = (await healthOfAll(members, input.timeoutMs)).filter((p) => !p.healthy);
      if (sick.length > 0) {
        result.error = `not started: ${sick.map((p) => `${nameOf(p)} is unhealthy (${p.statusError ?? p.healthError ?? '?'})`).join('; ')}`;
        break;
      }
      input.onProgress?.({
        step: `defragmenting ${result.name} (${n + 1} of ${order.length})`,
        done: n,
        total: order.length,
      });
      const outcome = await defragOne(member, input);
      Object.assign(result, outcome);
      if (result.error) break;
    }
    for (const { probe } of order.slice(results.length)) {
      results.push({
        name: nameOf(probe),
        endpoint: probe.endpoint,
        isLeader: isLeader(probe),
        skipped: true,
      });
    }
    findings.push(...defragFindings(results));
  } finally {
    for (const m of members) m.close();
  }
  return {
    kind: 'etcd.defrag',
    cluster: input.cluster,
    startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    incomplete: incompleteOf(results),
    data: { members: results },
  };
}

/** A defrag that stopped at a member did not happen (fully): refused when it changed nothing. */
function incompleteOf(results: readonly DefragMemberResult[]): Incomplete | undefined {
  const failed = results.find((r) => r.error);
  if (!failed) return undefined;
  const done = results.filter((r) => r.durationMs !== undefined).length;
  // The health gate refuses before the member is touched; defragOne reads `before` first.
  const touched = done > 0 || failed.before !== undefined;
  return {
    how: touched ? 'stopped' : 'refused',
    reason: `${failed.name}: ${failed.error}; ${done} of ${results.length} member(s) defragmented`,
  };
}

const isLeader = (p: MemberProbe) => Boolean(p.status && p.status.leader === p.status.memberId);

async function defragOne(
  member: EtcdMember,
  input: DefragInput,
): Promise<Partial<DefragMemberResult>> {
  const before = await member.status(Date.now() + input.timeoutMs);
  const started = Date.now();
  const deadline = started + input.defragTimeoutMs;
  const done = await settleBy(member.defragment(deadline), deadline);
  if (!done.ok) return { before: before.dbSize, error: `defragment failed: ${done.error}` };
  const after = await settleBy(
    member.status(Date.now() + input.timeoutMs),
    Date.now() + input.timeoutMs,
  );
  return {
    before: before.dbSize,
    after: after.ok ? after.value.dbSize : undefined,
    durationMs: Date.now() - started,
  };
}

function defragFindings(results: DefragMemberResult[]): Finding[] {
  const failed = results.find((r) => r.error);
  const done = results.filter((r) => r.after !== undefined);
  const reclaimed = done.reduce((sum, r) => sum + ((r.before ?? 0) - (r.after ?? 0)), 0);
  const findings: Finding[] = done.map((r) => ({
    id: 'etcd.defrag.member',
    severity: 'ok',
    title: `${r.name}${r.isLeader ? ' (leader)' : ''}: ${formatBytes(r.before ?? 0)} → ${formatBytes(r.after ?? 0)}, reclaimed ${formatBytes((r.before ?? 0) - (r.after ?? 0))} in ${formatDuration(r.durationMs ?? 0)}`,
  }));
  if (failed) {
    findings.push({
      id: 'etcd.defrag',
      severity: 'crit',
      title: `Defrag stopped at ${failed.name}: ${failed.error}`,
      detail: `${results.filter((r) => r.skipped).length} member(s) not defragmented.`,
      remedy:
        'Bring every member back to health (`quorum etcd check`), then run the defrag again: finished members are fast the second time.',
    });
  } else {
    findings.push({
      id: 'etcd.defrag',
      severity: 'ok',
      title: `Defragmented ${done.length} member(s), reclaimed ${formatBytes(reclaimed)}`,
    });
  }
  return findings;
}
