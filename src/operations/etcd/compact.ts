/**
 * Compaction to the current revision, and listing or disarming alarms. Safe to retry.
 * What etcd refuses throws (the job fails, and is retried); alarms raised again right
 * after the disarm make the report `incomplete`.
 */
import type { AlarmInfo } from '../../domain/etcd.js';
import { isQuorumError, QuorumError } from '../../domain/errors.js';
import type { Report } from '../../domain/report.js';
import { RevisionCompactedError, type EtcdConnector, type EtcdMember } from './client.js';
import { settleBy } from './probe.js';

export interface MaintenanceInput {
  cluster: string;
  endpoints: readonly string[];
  timeoutMs: number;
}

/** Runs `work` against the first member that answers status; closes every client. */
async function withAnyMember<T>(
  connect: EtcdConnector,
  input: MaintenanceInput,
  work: (m: EtcdMember) => Promise<T>,
): Promise<T> {
  const errors: string[] = [];
  for (const endpoint of input.endpoints) {
    const member = connect(endpoint);
    try {
      const deadline = Date.now() + input.timeoutMs;
      const s = await settleBy(member.status(deadline), deadline);
      if (s.ok) return await work(member);
      errors.push(`${endpoint}: ${s.error}`);
    } finally {
      member.close();
    }
  }
  throw new QuorumError(
    'ETCD_UNREACHABLE',
    `No etcd member answered: ${errors.join('; ')}`,
    'Check the endpoints with `quorum etcd check`.',
  );
}

const base = (kind: string, cluster: string) => ({
  kind,
  cluster,
  startedAt: new Date().toISOString(),
});

export async function compactCluster(
  connect: EtcdConnector,
  input: MaintenanceInput,
  compactTimeoutMs: number,
): Promise<Report<{ revision: number }>> {
  const head = base('etcd.compact', input.cluster);
  return withAnyMember(connect, input, async (member) => {
    const { revision } = await member.status(Date.now() + input.timeoutMs);
    try {
      await member.compact(revision, Date.now() + compactTimeoutMs);
    } catch (err) {
      // A retried job finds the work done: that is success, not an error.
      if (!(err instanceof RevisionCompactedError)) throw etcdFailed('compact', err);
    }
    return {
      ...head,
      finishedAt: new Date().toISOString(),
      findings: [
        {
          id: 'etcd.compact',
          severity: 'ok',
          title: `Compacted to revision ${revision}`,
          remedy: 'Space is reused, not returned: run `quorum etcd defrag` to shrink the files.',
        },
      ],
      data: { revision },
    };
  });
}

export async function listAlarms(
  connect: EtcdConnector,
  input: MaintenanceInput,
): Promise<Report<{ alarms: AlarmInfo[] }>> {
  const head = base('etcd.alarms', input.cluster);
  return withAnyMember(connect, input, async (member) => {
    const alarms = await member.alarms(Date.now() + input.timeoutMs);
    return {
      ...head,
      finishedAt: new Date().toISOString(),
      findings: alarms.length
        ? alarms.map((a) => ({
            id: `etcd.alarm.${a.alarm.toLowerCase()}`,
            severity: 'crit' as const,
            title: `Alarm ${a.alarm} on member ${a.memberId}`,
          }))
        : [{ id: 'etcd.alarms', severity: 'ok' as const, title: 'No alarms' }],
      // Read, so observed: later runbook steps may test the count (operations/runbooks).
      metrics: { 'etcd.alarms.count': alarms.length },
      data: { alarms },
    };
  });
}

export async function disarmAlarms(
  connect: EtcdConnector,
  input: MaintenanceInput,
): Promise<Report<{ disarmed: AlarmInfo[]; remaining: AlarmInfo[] }>> {
  const head = base('etcd.alarms.disarm', input.cluster);
  return withAnyMember(connect, input, async (member) => {
    const alarms = await member.alarms(Date.now() + input.timeoutMs);
    for (const alarm of alarms) {
      try {
        await member.disarm(alarm, Date.now() + input.timeoutMs);
      } catch (err) {
        throw etcdFailed('alarm disarm', err);
      }
    }
    const remaining = await member.alarms(Date.now() + input.timeoutMs);
    return {
      ...head,
      finishedAt: new Date().toISOString(),
      // Disarmed but raised again: the alarms are still there, so the disarm did not happen.
      incomplete: remaining.length
        ? {
            how: 'stopped' as const,
            reason: `raised again: ${remaining.map((a) => `${a.alarm} on ${a.memberId}`).join(', ')}`,
          }
        : undefined,
      findings: remaining.length
        ? remaining.map((a) => ({
            id: 'etcd.alarms.disarm',
            severity: 'crit' as const,
            title: `Alarm ${a.alarm} on ${a.memberId} is raised again`,
            remedy: 'The cause is still there (for NOSPACE: compact and defragment first).',
          }))
        : [
            {
              id: 'etcd.alarms.disarm',
              severity: 'ok' as const,
              title: alarms.length
                ? `Disarmed ${alarms.map((a) => a.alarm).join(', ')}`
                : 'No alarms to disarm',
            },
          ],
      data: {
        disarmed: alarms.filter(
          (a) => !remaining.some((r) => r.memberId === a.memberId && r.alarm === a.alarm),
        ),
        remaining,
      },
    };
  });
}

/** The member's error, saying what was refused; its code and hint when it has them. */
function etcdFailed(what: string, err: unknown): QuorumError {
  const coded = isQuorumError(err) ? err : undefined;
  return new QuorumError(
    coded?.code ?? 'ETCD_OPERATION_FAILED',
    `etcd refused the ${what}: ${(err as Error).message}`,
    coded?.hint ?? "Run `quorum etcd check` and look at the members' logs.",
    { cause: err },
  );
}
