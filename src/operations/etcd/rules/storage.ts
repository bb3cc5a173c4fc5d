/** Rules about the data: alarms, size against the quota, fragmentation, apply lag, consistency. */
import { formatBytes } from '../../../domain/units.js';
import type { Finding } from '../../../domain/report.js';
import { label, memberName, type CheckFacts } from './facts.js';

const GiB = 2 ** 30;

export const NOSPACE_REMEDY = [
  'The cluster is read-only until the space is freed. In order:',
  '1. compact to the current revision:   quorum etcd compact        (or: etcdctl compact <revision>)',
  '2. defragment each member, leader last: quorum etcd defrag       (or: etcdctl defrag --endpoints=<one member>)',
  '3. disarm the alarm:                  quorum etcd alarms disarm  (or: etcdctl alarm disarm)',
  'If the database is still near the quota afterwards, find what grows (events, leases) or raise --quota-backend-bytes (at most 8 GiB).',
].join('\n');

export function alarmFindings(f: CheckFacts): Finding[] {
  if (!f.view.alarms) {
    return [
      {
        id: 'etcd.alarms',
        severity: 'warn',
        title: 'Alarms could not be read',
        detail: f.view.alarmsError,
      },
    ];
  }
  if (f.view.alarms.length === 0)
    return [{ id: 'etcd.alarms', severity: 'ok', title: 'No alarms' }];
  return f.view.alarms.map((a) => ({
    id: `etcd.alarm.${a.alarm.toLowerCase()}`,
    severity: 'crit' as const,
    title: `Alarm ${a.alarm} on ${memberName(f.view, a.memberId)}`,
    remedy:
      a.alarm === 'NOSPACE'
        ? NOSPACE_REMEDY
        : 'Data may be corrupt on that member: stop writes through it, compare HashKV (this check), then remove the member and add it back with an empty data dir, or restore from a snapshot.',
  }));
}

export function dbSizeFindings(f: CheckFacts): Finding[] {
  const t = f.thresholds;
  const out: Finding[] = [];
  const sized = f.probes.filter((p) => p.status);
  if (f.quota.bytes > 8 * GiB) {
    out.push({
      id: 'etcd.db.quota-large',
      severity: 'warn',
      title: `Backend quota ${formatBytes(f.quota.bytes)} is above the 8 GiB etcd recommends`,
      remedy:
        'Large databases make snapshots, restores and defrags slow; keep --quota-backend-bytes at 8 GiB or less.',
    });
  }
  if (sized.length === 0) return out;
  const worst = sized.reduce((a, b) => (b.status!.dbSize > a.status!.dbSize ? b : a));
  const ratio = worst.status!.dbSize / f.quota.bytes;
  const pct = `${(ratio * 100).toFixed(1)} %`;
  const detail = `${label(f, worst)}: ${formatBytes(worst.status!.dbSize)} of ${formatBytes(f.quota.bytes)} (quota from ${f.quota.source})`;
  const severity =
    ratio >= t.dbQuotaCritRatio ? 'crit' : ratio >= t.dbQuotaWarnRatio ? 'warn' : 'ok';
  out.push({
    id: 'etcd.db.quota',
    severity,
    title: `Database size at ${pct} of the quota`,
    detail,
    remedy:
      severity === 'ok'
        ? undefined
        : `When the quota is reached etcd raises NOSPACE and refuses writes. Free space now:\n${NOSPACE_REMEDY.split('\n').slice(1, 3).join('\n')}`,
  });
  return out;
}

export function fragmentationFindings(f: CheckFacts): Finding[] {
  const t = f.thresholds;
  return f.probes
    .filter(
      (p) =>
        p.status &&
        p.status.dbSizeInUse < p.status.dbSize * t.fragmentationInUseRatio &&
        p.status.dbSizeInUse > t.fragmentationMinInUse,
    )
    .map((p) => ({
      id: 'etcd.db.fragmented',
      severity: 'warn' as const,
      title: `${label(f, p)} is fragmented: ${formatBytes(p.status!.dbSizeInUse)} in use of a ${formatBytes(p.status!.dbSize)} file`,
      detail: `${formatBytes(p.status!.dbSize - p.status!.dbSizeInUse)} can be reclaimed`,
      remedy:
        'Defragment member by member, leader last, in a quiet hour: `quorum etcd defrag` (or `etcdctl defrag --endpoints=<one member>`).',
    }));
}

export function applyLagFindings(f: CheckFacts): Finding[] {
  return f.probes
    .filter(
      (p) => p.applyLag.length >= 2 && p.applyLag.every((lag) => lag > f.thresholds.applyLagWarn),
    )
    .map((p) => ({
      id: 'etcd.apply-lag',
      severity: 'warn' as const,
      title: `${label(f, p)} applies slowly: ${p.applyLag.join(' → ')} committed entries not yet applied`,
      remedy:
        "The member's disk or CPU cannot keep up: check disk latency (WAL fsync, backend commit) and load on that node.",
    }));
}

export function consistencyFindings(f: CheckFacts): Finding[] {
  const reachable = f.probes.filter((p) => p.status);
  const hashed = reachable.filter((p) => p.hash);
  const failed = reachable.filter((p) => !p.hash);
  const notHashed = failed.length
    ? `Not hashed: ${failed.map((p) => `${label(f, p)}: ${p.hashError ?? 'no answer'}`).join('; ')}`
    : undefined;
  if (reachable.length < 2) {
    const title =
      (f.view.members?.length ?? 1) > 1
        ? `Consistency not compared: ${reachable.length} member reachable`
        : 'Consistency not compared: a single member has nothing to compare with';
    return [{ id: 'etcd.consistency', severity: 'info', title, detail: notHashed }];
  }
  if (hashed.length < 2) {
    return [
      {
        id: 'etcd.consistency',
        severity: 'warn',
        title: `Consistency not compared: ${hashed.length} of ${reachable.length} reachable members answered HashKV`,
        detail: notHashed,
        remedy: HASH_REMEDY,
      },
    ];
  }
  const revisions = [...new Set(hashed.map((p) => p.hash!.revision))].join(', ');
  const groups = groupBy(hashed, (p) => `${p.hash!.revision}/${p.hash!.compactRevision}`);
  const comparable = groups.filter((g) => g.length > 1);
  if (comparable.length === 0) {
    return [
      {
        id: 'etcd.consistency',
        severity: 'warn',
        title:
          'Consistency not compared: the members hashed at different revisions or compaction points',
        detail: hashed
          .map(
            (p) =>
              `${label(f, p)}: revision ${p.hash!.revision}, compacted at ${p.hash!.compactRevision}`,
          )
          .join('; '),
        remedy:
          'Run the check again; a member that stays apart is behind the others (see apply lag).',
      },
    ];
  }
  const mismatched = comparable.filter((g) => new Set(g.map((p) => p.hash!.hash)).size > 1);
  if (mismatched.length) {
    return [
      {
        id: 'etcd.consistency',
        severity: 'crit',
        title: `HashKV differs between members at revision ${revisions}: possible data corruption`,
        detail: mismatched
          .flat()
          .map((p) => `${label(f, p)}: ${p.hash!.hash}`)
          .join('; '),
        remedy:
          'Stop maintenance. Take a snapshot from the member that agrees with the majority, then replace the odd member: `etcdctl member remove`, wipe its data dir, `etcdctl member add`, start it.',
      },
    ];
  }
  const agreeing = comparable.flat().length;
  const partial = agreeing < reachable.length;
  return [
    {
      id: 'etcd.consistency',
      severity: partial ? 'warn' : 'ok',
      title: partial
        ? `HashKV agrees on ${agreeing} of ${reachable.length} reachable members at revision ${revisions}`
        : `HashKV agrees on ${agreeing} members at revision ${revisions}`,
      detail: notHashed,
      remedy: partial ? HASH_REMEDY : undefined,
    },
  ];
}

const HASH_REMEDY =
  'Run the check again. A member that keeps failing HashKV is overloaded or behind: look at its log and disk latency; `etcdctl endpoint hashkv --cluster` compares by hand.';

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}
