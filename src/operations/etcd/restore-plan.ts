/**
 * The exact, pasteable restore procedure for one snapshot and this cluster's
 * members: names and peer URLs from the live member list, or from the snapshot's
 * metadata when the cluster cannot answer (the usual case when a restore is needed).
 */
import { QuorumError } from '../../domain/errors.js';
import type { MemberInfo } from '../../domain/etcd.js';
import type { Report } from '../../domain/report.js';
import type { SnapshotEntry } from '../../domain/snapshot.js';
import type { EtcdConnector } from './client.js';
import { settleBy } from './probe.js';

export interface RestorePlanInput {
  cluster: string;
  endpoints: readonly string[];
  entry: SnapshotEntry;
  /** etcd's data dir on the members (kubeadm: /var/lib/etcd). */
  dataDir: string;
  timeoutMs: number;
  now?: Date;
}

export interface RestorePlanData {
  snapshot: string;
  membersFrom: 'live member list' | 'snapshot metadata';
  members: MemberInfo[];
  /** The procedure, one shell block; comments say where each command runs. */
  text: string;
}

export type RestorePlanReport = Report<RestorePlanData>;

async function liveMembers(
  connect: EtcdConnector,
  endpoints: readonly string[],
  timeoutMs: number,
) {
  for (const endpoint of endpoints) {
    const member = connect(endpoint);
    try {
      const deadline = Date.now() + timeoutMs;
      const r = await settleBy(member.memberList(deadline), deadline);
      if (r.ok && r.value.length > 0) return r.value;
    } finally {
      member.close();
    }
  }
  return undefined;
}

export async function restorePlan(
  connect: EtcdConnector,
  input: RestorePlanInput,
): Promise<RestorePlanReport> {
  const startedAt = new Date().toISOString();
  const live = await liveMembers(connect, input.endpoints, input.timeoutMs);
  const members = (live ?? input.entry.meta?.members ?? []).filter((m) => !m.isLearner && m.name);
  if (members.length === 0) {
    throw new QuorumError(
      'ETCD_UNREACHABLE',
      `Cannot name the members: the cluster does not answer and ${input.entry.id} has no member list in its metadata.`,
      'Run it where etcd is reachable, or write the plan from `etcdctl member list` output by hand.',
    );
  }
  const text = planText(input, members);
  const stale = !input.entry.verified;
  return {
    kind: 'etcd.restore-plan',
    cluster: input.cluster,
    startedAt,
    finishedAt: new Date().toISOString(),
    findings: [
      stale
        ? {
            id: 'etcd.restore-plan.snapshot',
            severity: 'warn',
            title: `${input.entry.id} is not verified (${input.entry.problem ?? 'unknown'})`,
            remedy: `Run \`quorum etcd verify ${input.entry.id}\` first; restore only from a snapshot that passes.`,
          }
        : {
            id: 'etcd.restore-plan.snapshot',
            severity: 'ok',
            title: `Plan for ${input.entry.id} (revision ${input.entry.revision ?? '?'})`,
          },
      ...(live
        ? []
        : [
            {
              id: 'etcd.restore-plan.members',
              severity: 'info' as const,
              title: 'Members taken from the snapshot metadata: the cluster did not answer',
            },
          ]),
    ],
    data: {
      snapshot: input.entry.id,
      membersFrom: live ? 'live member list' : 'snapshot metadata',
      members,
      text,
    },
  };
}

function planText(input: RestorePlanInput, members: MemberInfo[]): string {
  const e = input.entry;
  const stamp = (input.now ?? new Date()).toISOString().slice(0, 19).replace(/[-:]/g, '');
  const file = `/var/tmp/${e.id}.db`;
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrls[0] ?? '?'}`).join(',');
  const restoreDir = `${input.dataDir}-restore-${stamp}`;
  const lines = [
    `# Restore ${input.cluster} from ${e.id} (revision ${e.revision ?? '?'}, taken ${e.createdAt})`,
    `# Members: ${members.map((m) => `${m.name} ${m.peerUrls[0] ?? '?'}`).join(', ')}`,
    '',
    '# 1. Check the snapshot (here):',
    `quorum etcd verify ${e.id}`,
    e.meta ? `sha256sum ${e.path}   # expect ${e.meta.sha256}` : `sha256sum ${e.path}`,
    '',
    `# 2. Copy it to ${file} on every member${e.path.endsWith('.gz') ? ' and unpack it' : ''}:`,
    ...members.map((m) =>
      e.path.endsWith('.gz')
        ? `gunzip -c ${e.path} | ssh ${m.name} 'cat > ${file}'`
        : `scp ${e.path} ${m.name}:${file}`,
    ),
    '',
    '# 3. Stop every kube-apiserver (on each control-plane node):',
    'sudo mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kube-apiserver.yaml.stopped',
    '',
    '# 4. Stop etcd on every member (kubeadm static pod; or: sudo systemctl stop etcd):',
    'sudo mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/etcd.yaml.stopped',
    '',
    '# 5. Restore on each member, into a new data dir. --bump-revision and --mark-compacted',
    '#    keep Kubernetes watch caches from missing changes (etcdutl 3.5.x with these flags, or 3.6).',
  ];
  for (const m of members) {
    lines.push(
      `# on ${m.name}:`,
      `sudo etcdutl snapshot restore ${file} \\`,
      `  --name ${m.name} \\`,
      `  --initial-cluster ${initialCluster} \\`,
      `  --initial-cluster-token ${input.cluster}-restore-${stamp} \\`,
      `  --initial-advertise-peer-urls ${m.peerUrls.join(',')} \\`,
      `  --data-dir ${restoreDir} \\`,
      '  --bump-revision 1000000000 --mark-compacted',
    );
  }
  lines.push(
    '',
    '# 6. Swap the data dirs on each member (the old one is kept):',
    `sudo mv ${input.dataDir} ${input.dataDir}.before-restore-${stamp} && sudo mv ${restoreDir} ${input.dataDir}`,
    '',
    '# 7. Start etcd on every member:',
    'sudo mv /etc/kubernetes/etcd.yaml.stopped /etc/kubernetes/manifests/etcd.yaml',
    '',
    '# 8. Verify health (here) before going on; every member must be healthy:',
    `quorum etcd check --cluster ${input.cluster}`,
    '',
    '# 9. Start the kube-apiservers (on each control-plane node), then restart',
    '#    kube-controller-manager, kube-scheduler and the kubelets so they re-list:',
    'sudo mv /etc/kubernetes/kube-apiserver.yaml.stopped /etc/kubernetes/manifests/kube-apiserver.yaml',
  );
  return lines.join('\n');
}
