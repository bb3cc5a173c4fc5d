/**
 * Representative reports, built by hand with the operations' own types (so the
 * renderers' local report types are checked against them by tsc).
 */
import type { EtcdCheckReport, MemberInfo, MemberProbe } from '../../../src/domain/etcd.js';
import { QuorumError } from '../../../src/domain/errors.js';
import type { Finding, Report } from '../../../src/domain/report.js';
import type {
  DefragMemberResult,
  SnapshotEntry,
  SnapshotMeta,
} from '../../../src/domain/snapshot.js';
import type { DefragReport } from '../../../src/operations/etcd/defrag.js';
import { restorePlan, type RestorePlanReport } from '../../../src/operations/etcd/restore-plan.js';
import type { SnapshotReport } from '../../../src/operations/etcd/snapshot.js';
import type { VerifyReport } from '../../../src/operations/etcd/snapshot-verify.js';
import type { EtcdConnector } from '../../../src/operations/etcd/client.js';

export const NOW = new Date('2026-11-26T10:15:00Z');
const MIB = 2 ** 20;
const times = { startedAt: '2026-11-26T10:14:58.120Z', finishedAt: '2026-11-26T10:14:59.460Z' };

export const MEMBERS: MemberInfo[] = [1, 2, 3].map((n) => ({
  id: `8e9e05c52164694${n}`,
  name: `cp-${n}`,
  peerUrls: [`https://10.0.0.1${n}:2380`],
  clientUrls: [`https://10.0.0.1${n}:2379`],
  isLearner: false,
}));

function probe(n: number, overrides: Partial<MemberProbe> = {}): MemberProbe {
  return {
    endpoint: `https://10.0.0.1${n}:2379`,
    status: {
      memberId: `8e9e05c52164694${n}`,
      version: '3.5.16',
      dbSize: 412 * MIB,
      dbSizeInUse: 161 * MIB,
      leader: '8e9e05c521646942',
      raftTerm: 7,
      raftIndex: 1_204_377 + n,
      raftAppliedIndex: 1_204_377 + n,
      isLearner: false,
      errors: [],
      revision: 983_412,
    },
    healthy: true,
    healthMs: 11 + n,
    applyLag: [0, 0],
    ...overrides,
  };
}

export function etcdCheckReport(cluster = 'prod', members = MEMBERS): EtcdCheckReport {
  return {
    kind: 'etcd.check',
    cluster,
    ...times,
    findings: [
      {
        id: 'etcd.quorum',
        severity: 'warn',
        title: 'Quorum at risk: one more member failure loses it',
        detail: '2 of 3 voting members healthy; quorum needs 2',
        remedy: 'Bring the unhealthy members back before any maintenance, reboot or upgrade.',
      },
      {
        id: 'etcd.member.unhealthy',
        severity: 'warn',
        title: `${members[2]?.name} (https://10.0.0.13:2379) is unreachable`,
        detail: 'connect ECONNREFUSED 10.0.0.13:2379',
        remedy:
          'On that node: `systemctl status etcd` or `crictl ps -a --name etcd` (kubeadm static pod), then `journalctl -u etcd` / `crictl logs`.',
      },
      {
        id: 'etcd.db.fragmented',
        severity: 'warn',
        title: 'cp-1 (https://10.0.0.11:2379): 39 % of the 412 MiB file is in use',
        detail: '251 MiB can be reclaimed',
        remedy:
          'Defragment member by member, leader last, in a quiet hour: `quorum etcd defrag` (or `etcdctl defrag --endpoints=<one member>`).',
      },
      { id: 'etcd.leader', severity: 'ok', title: 'Leader cp-2, term 7' },
      {
        id: 'etcd.consistency',
        severity: 'ok',
        title: 'HashKV matches on 2 members at revision 983412',
      },
      {
        id: 'etcd.metrics.unavailable',
        severity: 'info',
        title: '/metrics could not be read on 1 member',
        detail: 'connect ECONNREFUSED 10.0.0.13:2379',
      },
    ],
    data: {
      endpoints: [1, 2, 3].map((n) => `https://10.0.0.1${n}:2379`),
      timeoutMs: 5_000,
      probes: [
        probe(1),
        probe(2),
        {
          endpoint: 'https://10.0.0.13:2379',
          statusError: 'connect ECONNREFUSED 10.0.0.13:2379',
          healthy: false,
          healthError: 'connect ECONNREFUSED 10.0.0.13:2379',
          applyLag: [],
        },
      ],
      view: { members, alarms: [] },
      quota: { bytes: 2 * 2 ** 30, source: 'metrics' },
      hashRevision: 983_412,
    },
  };
}

export const META: SnapshotMeta = {
  format: 1,
  id: 'prod-20261126T101458Z-r983412',
  file: 'prod-20261126T101458Z-r983412.db',
  cluster: 'prod',
  member: { id: '8e9e05c521646941', name: 'cp-1', endpoint: 'https://10.0.0.11:2379' },
  etcdVersion: '3.5.16',
  revision: 983_412,
  size: 412 * MIB,
  streamSize: 412 * MIB,
  sha256: '9f2c1e0b7d4a6c58e1f3b2a49d07c6e5f8a1b3c2d4e6f708192a3b4c5d6e7f80',
  compressed: false,
  verified: true,
  ...times,
  durationMs: 1_340,
  requestedBy: 'U024BE7LH',
  members: MEMBERS,
};

export function snapshotReport(): SnapshotReport {
  return {
    kind: 'etcd.snapshot',
    cluster: 'prod',
    ...times,
    findings: [
      {
        id: 'etcd.snapshot',
        severity: 'ok',
        title: `Snapshot ${META.id} saved and verified`,
        detail: `/var/backups/etcd/${META.file}`,
      },
    ],
    data: {
      meta: META,
      path: `/var/backups/etcd/${META.file}`,
      cleanedUp: ['.prod-x.db.4711.tmp'],
    },
  };
}

export function failedSnapshotReport(): SnapshotReport {
  return {
    kind: 'etcd.snapshot',
    cluster: 'prod',
    ...times,
    findings: [
      {
        id: 'etcd.snapshot.verify',
        severity: 'crit',
        title:
          'Snapshot from cp-1 failed verification: the stream failed: the snapshot stream stalled: no data for 5000 ms',
        detail: 'The file was removed; nothing was kept.',
        remedy:
          'Run `quorum etcd check`; take the snapshot again, from another member if this one is unhealthy.',
      },
    ],
    data: { cleanedUp: [] },
  };
}

export function entries(): SnapshotEntry[] {
  const at = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
  return [
    {
      id: META.id,
      path: `/var/backups/etcd/${META.file}`,
      cluster: 'prod',
      createdAt: at(0.05),
      revision: 983_412,
      size: 412 * MIB,
      verified: true,
      meta: META,
    },
    {
      id: 'prod-20261126T041500Z-r981207',
      path: '/var/backups/etcd/prod-20261126T041500Z-r981207.db',
      cluster: 'prod',
      createdAt: at(6),
      revision: 981_207,
      size: 409 * MIB,
      verified: true,
    },
    {
      id: 'prod-20261125T221500Z-r978930',
      path: '/var/backups/etcd/prod-20261125T221500Z-r978930.db',
      cluster: 'prod',
      createdAt: at(12),
      revision: 978_930,
      size: 405 * MIB,
      verified: false,
      problem: 'size changed since it was saved (424673280 → 1048576 bytes)',
    },
    {
      id: 'prod-20261119T101500Z-r941022',
      path: '/var/backups/etcd/prod-20261119T101500Z-r941022.db.gz',
      cluster: 'prod',
      createdAt: at(7 * 24),
      revision: 941_022,
      size: 96 * MIB,
      verified: true,
    },
  ];
}

export function verifyReport(): VerifyReport {
  const entry = entries()[0]!;
  return {
    kind: 'etcd.snapshot.verify',
    cluster: 'prod',
    ...times,
    findings: [
      {
        id: 'etcd.snapshot.verify',
        severity: 'ok',
        title: `${entry.id} is intact (SHA-256 checked, matches its metadata)`,
        detail: entry.path,
      },
    ],
    data: { entry, streamSize: META.streamSize, sha256: META.sha256 },
  };
}

export function defragReport(failed = false): DefragReport {
  const m = (n: number, isLeader: boolean, before: number, after: number) => ({
    name: `cp-${n}`,
    endpoint: `https://10.0.0.1${n}:2379`,
    isLeader,
    before: before * MIB,
    after: after * MIB,
    durationMs: 2_400 + n * 310,
  });
  const members: DefragMemberResult[] = failed
    ? [
        m(1, false, 412, 161),
        {
          name: 'cp-3',
          endpoint: 'https://10.0.0.13:2379',
          isLeader: false,
          error:
            'not started: cp-2 (https://10.0.0.12:2379) is unhealthy (context deadline exceeded)',
        },
        { name: 'cp-2', endpoint: 'https://10.0.0.12:2379', isLeader: true, skipped: true },
      ]
    : [m(1, false, 412, 161), m(3, false, 410, 160), m(2, true, 415, 162)];
  const findings: Finding[] = failed
    ? [
        {
          id: 'etcd.defrag.member',
          severity: 'ok',
          title: 'cp-1: 412 MiB → 161 MiB, reclaimed 251 MiB in 2.7s',
        },
        {
          id: 'etcd.defrag',
          severity: 'crit',
          title: `Defrag stopped at cp-3: ${members[1]!.error}`,
          detail: '1 member(s) not defragmented.',
          remedy:
            'Bring every member back to health (`quorum etcd check`), then run the defrag again: finished members are fast the second time.',
        },
      ]
    : [{ id: 'etcd.defrag', severity: 'ok', title: 'Defragmented 3 member(s), reclaimed 754 MiB' }];
  return { kind: 'etcd.defrag', cluster: 'prod', ...times, findings, data: { members } };
}

export const compactReport = (): Report<{ revision: number }> => ({
  kind: 'etcd.compact',
  cluster: 'prod',
  ...times,
  findings: [
    {
      id: 'etcd.compact',
      severity: 'ok',
      title: 'Compacted to revision 983412',
      remedy: 'Space is reused, not returned: run `quorum etcd defrag` to shrink the files.',
    },
  ],
  data: { revision: 983_412 },
});

const NOSPACE = { memberId: '8e9e05c521646941', alarm: 'NOSPACE' };
export const alarmsReport = () => ({
  kind: 'etcd.alarms',
  cluster: 'prod',
  ...times,
  findings: [
    {
      id: 'etcd.alarm.nospace',
      severity: 'crit' as const,
      title: `Alarm NOSPACE on member ${NOSPACE.memberId}`,
    },
  ],
  data: { alarms: [NOSPACE] },
});
export const disarmReport = () => ({
  kind: 'etcd.alarms.disarm',
  cluster: 'prod',
  ...times,
  findings: [{ id: 'etcd.alarms.disarm', severity: 'ok' as const, title: 'Disarmed NOSPACE' }],
  data: { disarmed: [NOSPACE], remaining: [] },
});

export const genericReport = (): Report => ({
  kind: 'security.audit',
  cluster: 'prod',
  ...times,
  findings: [
    {
      id: 'security.encryption',
      severity: 'crit',
      title: 'Secrets are not encrypted at rest',
      detail: 'kube-apiserver runs without --encryption-provider-config',
      remedy:
        'Write an EncryptionConfiguration (aescbc or kms v2), pass it with --encryption-provider-config on every kube-apiserver, then rewrite all Secrets:\nkubectl get secrets --all-namespaces -o json | kubectl replace -f -',
    },
    { id: 'security.etcd.tls', severity: 'ok', title: 'etcd requires client certificates' },
  ],
  data: {},
});

export const errors = () => [
  new QuorumError(
    'ETCD_UNREACHABLE',
    'No etcd member answered: https://10.0.0.11:2379: connect ECONNREFUSED',
    'Check the endpoints with `quorum etcd check`.',
  ),
  new QuorumError(
    'CONFIG_INVALID',
    'Configuration is invalid:\nquorum.yaml: clusters[0].etcd.quotaBackendBytes: "huge" is not a size; write e.g. 2GiB\nREDIS_URL: write e.g. redis://127.0.0.1:6379',
    'Fix the values above (see docs/configuration.md) and run again.',
  ),
];

const unused: EtcdConnector = () => {
  throw new Error('the plan fixtures use the snapshot metadata, not a live cluster');
};

/** A real plan from operations/etcd/restore-plan.ts, members from the snapshot metadata. */
export async function restorePlanReport(
  members: MemberInfo[] = MEMBERS,
): Promise<RestorePlanReport> {
  const entry: SnapshotEntry = { ...entries()[0]!, meta: { ...META, members } };
  const report = await restorePlan(unused, {
    cluster: 'prod',
    endpoints: [],
    entry,
    dataDir: '/var/lib/etcd',
    timeoutMs: 1_000,
    now: NOW,
  });
  return { ...report, ...times };
}

/** Seven members with long names: a plan far over one section. */
export const manyMembers = (): MemberInfo[] =>
  Array.from({ length: 7 }, (_, i) => ({
    id: `a1b2c3d4e5f6070${i}`,
    name: `control-plane-${i + 1}.eu-west-1.prod.example.internal`,
    peerUrls: [`https://control-plane-${i + 1}.eu-west-1.prod.example.internal:2380`],
    clientUrls: [`https://control-plane-${i + 1}.eu-west-1.prod.example.internal:2379`],
    isLearner: false,
  }));
