/**
 * The exact, pasteable restore procedure for one snapshot and this cluster's
 * members: names and peer URLs from the live member list, or from the snapshot's
 * metadata when the cluster cannot answer (the usual case when a restore is needed).
 * The restore tool follows the members' etcd version (live status, else the
 * snapshot's metadata): `etcdutl` (3.5 and later) bumps the revision, etcd 3.4's
 * `etcdctl` cannot. A snapshot in object storage is downloaded and checked first
 * (the store gives the command). Every path in the plan is absolute, so each command
 * runs as pasted on the machine its comment names.
 */
import path from 'node:path';
import { QuorumError } from '../../domain/errors.js';
import type { MemberInfo } from '../../domain/etcd.js';
import type { Finding, Report } from '../../domain/report.js';
import type { SnapshotEntry } from '../../domain/snapshot.js';
import type { EtcdConnector } from './client.js';
import { settleBy } from './probe.js';
import { chooseRestoreTool, type RestoreTool } from './restore-tool.js';
import type { SnapshotStore } from './store/snapshot-store.js';

export { chooseRestoreTool, type RestoreTool } from './restore-tool.js';

export interface RestorePlanInput {
  cluster: string;
  endpoints: readonly string[];
  entry: SnapshotEntry;
  /** The store that keeps it: a bucket's snapshot is downloaded first (absent: a local file). */
  store?: SnapshotStore;
  /** etcd's data dir on the members (kubeadm: /var/lib/etcd). */
  dataDir: string;
  timeoutMs: number;
  now?: Date;
}

export interface RestorePlanData {
  snapshot: string;
  /** The snapshot file, absolute, on the machine that made the plan; or its `s3://` URL. */
  file: string;
  membersFrom: 'live member list' | 'snapshot metadata';
  members: MemberInfo[];
  tool: RestoreTool;
  /** The procedure, one shell block; comments say where each command runs. */
  text: string;
}

export type RestorePlanReport = Report<RestorePlanData>;

/** The revision bump after a restore: far above anything a watcher has seen. */
const BUMP = 1_000_000_000;

async function liveFacts(connect: EtcdConnector, endpoints: readonly string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const answers = await Promise.all(
    endpoints.map(async (endpoint) => {
      const member = connect(endpoint);
      try {
        const [status, list] = await Promise.all([
          settleBy(member.status(deadline), deadline),
          settleBy(member.memberList(deadline), deadline),
        ]);
        return {
          version: status.ok ? status.value.version : undefined,
          members: list.ok && list.value.length > 0 ? list.value : undefined,
        };
      } finally {
        member.close();
      }
    }),
  );
  return {
    members: answers.find((a) => a.members)?.members,
    versions: answers.flatMap((a) => (a.version ? [a.version] : [])),
  };
}

export async function restorePlan(
  connect: EtcdConnector,
  input: RestorePlanInput,
): Promise<RestorePlanReport> {
  const startedAt = new Date().toISOString();
  const live = await liveFacts(connect, input.endpoints, input.timeoutMs);
  const members = (live.members ?? input.entry.meta?.members ?? []).filter(
    (m) => !m.isLearner && m.name,
  );
  if (members.length === 0) {
    throw new QuorumError(
      'ETCD_UNREACHABLE',
      `Cannot name the members: the cluster does not answer and ${input.entry.id} has no member list in its metadata.`,
      'Run it where etcd is reachable, or write the plan from `etcdctl member list` output by hand.',
    );
  }
  const tool = chooseRestoreTool(live.versions, input.entry.meta?.etcdVersion || undefined);
  const file = /^s3:\/\//.test(input.entry.path)
    ? input.entry.path
    : path.resolve(input.entry.path);
  return {
    kind: 'etcd.restore-plan',
    cluster: input.cluster,
    startedAt,
    finishedAt: new Date().toISOString(),
    findings: planFindings(input.entry, file, live.members !== undefined, tool),
    data: {
      snapshot: input.entry.id,
      file,
      membersFrom: live.members ? 'live member list' : 'snapshot metadata',
      members,
      tool,
      text: planText(input, file, members, tool),
    },
  };
}

function planFindings(e: SnapshotEntry, file: string, live: boolean, tool: RestoreTool) {
  const findings: Finding[] = [
    e.verified
      ? {
          id: 'etcd.restore-plan.snapshot',
          severity: 'ok',
          title: `Plan for ${e.id} (revision ${e.revision ?? '?'})`,
        }
      : {
          id: 'etcd.restore-plan.snapshot',
          severity: 'warn',
          title: `${e.id} is not verified (${e.problem ?? 'unknown'})`,
          remedy: `Run \`quorum etcd verify ${sh(file)}\` first; restore only from a snapshot that passes.`,
        },
  ];
  if (!live) {
    findings.push({
      id: 'etcd.restore-plan.members',
      severity: 'info',
      title: 'Members taken from the snapshot metadata: the cluster did not answer',
    });
  }
  if (tool.versions.length > 1) {
    findings.push({
      id: 'etcd.restore-plan.versions',
      severity: 'info',
      title: `The members run etcd ${tool.versions.join(', ')}: the plan uses the tool for the oldest (${tool.etcdVersion ?? '?'})`,
    });
  }
  if (tool.versionFrom === 'unknown') {
    findings.push({
      id: 'etcd.restore-plan.tool',
      severity: 'warn',
      title:
        "The members' etcd version is unknown: the plan restores with etcdutl (etcd 3.5 and later)",
      remedy:
        'On etcd 3.4 use `etcdctl snapshot restore` with the same flags but without --bump-revision and --mark-compacted, then restart everything that watches the API.',
    });
  } else if (!tool.bumpsRevision) {
    findings.push({
      id: 'etcd.restore-plan.tool',
      severity: 'info',
      title: `etcd ${tool.etcdVersion ?? '?'}: the plan restores with etcdctl, which cannot bump the revision`,
      detail:
        "The revision goes back to the snapshot's, below what watchers have seen: restart every kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and any controller that watches the API after the restore. etcdutl 3.5 can restore this snapshot with --bump-revision (etcd 3.4 runs its data dir).",
    });
  }
  return findings;
}

/** Where a snapshot from object storage is downloaded to (not /var/tmp itself: step 2 copies there). */
const DOWNLOAD_DIR = '/var/tmp/quorum-download';

/** A word for the shell: quoted only when it needs to be. */
const sh = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function planText(
  input: RestorePlanInput,
  snapshotFile: string,
  members: MemberInfo[],
  tool: RestoreTool,
): string {
  const e = input.entry;
  const stamp = (input.now ?? new Date()).toISOString().slice(0, 19).replace(/[-:]/g, '');
  const file = `/var/tmp/${e.id}.db`;
  const fetch = input.store?.downloadCommand?.bind(input.store);
  const download = fetch
    ? { dir: DOWNLOAD_DIR, file: `${DOWNLOAD_DIR}/${path.posix.basename(snapshotFile)}` }
    : undefined;
  const local = download?.file ?? snapshotFile;
  const src = sh(local);
  const gz = snapshotFile.endsWith('.gz');
  const dataDir = sh(input.dataDir);
  const restoreDir = sh(`${input.dataDir}-restore-${stamp}`);
  const check = [
    `quorum etcd verify ${src}`,
    e.meta ? `sha256sum ${src}   # expect ${e.meta.sha256}` : `sha256sum ${src}`,
  ];
  return [
    `# Restore ${input.cluster} from ${e.id} (revision ${e.revision ?? '?'}, taken ${e.createdAt})`,
    `# Members: ${members.map((m) => `${m.name} ${m.peerUrls[0] ?? '?'}`).join(', ')}`,
    '',
    ...(download && fetch
      ? [
          `# 1. Download the snapshot and check it (on the machine you restore from, with the AWS CLI`,
          `#    and credentials that can read ${snapshotFile}):`,
          `mkdir -p ${sh(download.dir)}`,
          fetch(e, download.file).map(sh).join(' '),
          ...check,
        ]
      : [
          `# 1. Check the snapshot (on the machine that keeps it, in ${path.dirname(local)}):`,
          ...check,
        ]),
    '',
    `# 2. Copy it to ${file} on every member${gz ? ' and unpack it' : ''} (from that machine; member names as ssh hosts):`,
    ...members.map((m) =>
      gz ? `gunzip -c ${src} | ssh ${m.name} 'cat > ${file}'` : `scp ${src} ${m.name}:${file}`,
    ),
    '',
    '# 3. Stop every kube-apiserver (on each control-plane node):',
    'sudo mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kube-apiserver.yaml.stopped',
    '',
    '# 4. Stop etcd on every member (kubeadm static pod; or: sudo systemctl stop etcd):',
    'sudo mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/etcd.yaml.stopped',
    '',
    ...restoreLines(input, file, restoreDir, stamp, members, tool),
    '',
    '# 6. Swap the data dirs on each member (the old one is kept):',
    `sudo mv ${dataDir} ${sh(`${input.dataDir}.before-restore-${stamp}`)} && sudo mv ${restoreDir} ${dataDir}`,
    '',
    '# 7. Start etcd on every member:',
    'sudo mv /etc/kubernetes/etcd.yaml.stopped /etc/kubernetes/manifests/etcd.yaml',
    '',
    '# 8. Verify health (where Quorum is configured) before going on; every member must be healthy:',
    `quorum etcd check --cluster ${sh(input.cluster)}`,
    '',
    '# 9. Start the kube-apiservers (on each control-plane node), then restart',
    tool.bumpsRevision
      ? '#    kube-controller-manager, kube-scheduler and the kubelets so they re-list:'
      : '#    kube-controller-manager, kube-scheduler, the kubelets and every controller or operator\n' +
        '#    that watches the API, so they re-list (the revision went back, see step 5):',
    'sudo mv /etc/kubernetes/kube-apiserver.yaml.stopped /etc/kubernetes/manifests/kube-apiserver.yaml',
  ].join('\n');
}

function restoreLines(
  input: RestorePlanInput,
  file: string,
  restoreDir: string,
  stamp: string,
  members: MemberInfo[],
  tool: RestoreTool,
): string[] {
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrls[0] ?? '?'}`).join(',');
  const version = tool.etcdVersion ? `etcd ${tool.etcdVersion}` : 'etcd of unknown version';
  const head = tool.bumpsRevision
    ? [
        `# 5. Restore on each member, into a new data dir, with etcdutl (the members run ${version}).`,
        '#    --bump-revision and --mark-compacted keep Kubernetes watch caches from missing changes.',
        ...(tool.versionFrom === 'unknown'
          ? ['#    On etcd 3.4: etcdctl instead of etcdutl, without those two flags (see step 9).']
          : []),
      ]
    : [
        `# 5. Restore on each member, into a new data dir, with etcdctl (the members run ${version}).`,
        "#    etcd 3.4's restore cannot bump the revision: it goes back to the snapshot's",
        `#    (${input.entry.revision ?? '?'}), below what watchers have seen; step 9 makes them re-list.`,
        '#    Or, with etcdutl 3.5 on the member (it restores a 3.4 snapshot into a data dir etcd',
        '#    3.4 runs; seen with 3.5.16 and 3.4.23): etcdutl instead of etcdctl, same flags, plus',
        `#    --bump-revision ${BUMP} --mark-compacted`,
      ];
  const lines = [...head];
  for (const m of members) {
    lines.push(
      `# on ${m.name}:`,
      `sudo ${tool.command} snapshot restore ${file} \\`,
      `  --name ${sh(m.name)} \\`,
      `  --initial-cluster ${sh(initialCluster)} \\`,
      `  --initial-cluster-token ${sh(`${input.cluster}-restore-${stamp}`)} \\`,
      `  --initial-advertise-peer-urls ${sh(m.peerUrls.join(','))} \\`,
      tool.bumpsRevision
        ? `  --data-dir ${restoreDir} \\\n  --bump-revision ${BUMP} --mark-compacted`
        : `  --data-dir ${restoreDir}`,
    );
  }
  return lines;
}
