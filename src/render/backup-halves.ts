/**
 * The two halves of a `backup status` report, for the terminal and for Slack alike: the
 * cluster state (etcd snapshots, findings `backup.etcd.*`) and the application data
 * (Velero, findings `backup.velero.*`), each with its findings and a few facts. Facts are
 * pieces of text; a `code` piece is cluster-supplied (a name, a cron, a path) and each
 * renderer shows it safely (Slack: inline code).
 */
import type { BackupStatusData, ClusterStateData, VeleroFacts } from '../domain/backup.js';
import type { Finding, Report } from '../domain/report.js';
import { formatAge } from '../domain/units.js';

export type BackupStatusView = Report<BackupStatusData>;

export type Piece = string | { code: string };

export interface Fact {
  label: string;
  pieces: Piece[];
}

export interface BackupHalf {
  title: string;
  findings: Finding[];
  facts: Fact[];
}

export const ETCD_HALF = 'Cluster state (etcd)';
export const VELERO_HALF = 'Application data (Velero)';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function etcdFacts(d: ClusterStateData | undefined, now: number): Fact[] {
  if (!d) return [{ label: 'Snapshots', pieces: ['could not be read'] }];
  const age = (at: string) => formatAge(at, now);
  const n = d.newest;
  return [
    { label: 'Store', pieces: [{ code: d.location }] },
    {
      label: 'Newest',
      pieces: n
        ? [{ code: n.id }, `, ${age(n.createdAt)} old, ${n.verified ? 'verified' : 'NOT verified'}`]
        : ['none'],
    },
    { label: 'Schedule', pieces: d.schedule ? [{ code: d.schedule }] : ['none (by hand only)'] },
    {
      label: 'Last drill',
      pieces: d.drilled
        ? [{ code: d.drilled.snapshotId }, `, restored ${age(d.drilled.drilledAt)} ago`]
        : ['never'],
    },
  ];
}

function veleroFactsOf(f: VeleroFacts): Fact[] {
  const locations: Piece[] = f.locations.flatMap((l, i) => [
    ...(i ? [', '] : []),
    { code: `${l.namespace}/${l.name}` },
    ` ${l.phase ?? 'not validated'}${l.default ? ' (default)' : ''}`,
  ]);
  const paused = f.schedules.filter((s) => s.paused).length;
  const uncovered = f.uncoveredNamespaces.length;
  return [
    { label: 'Storage locations', pieces: locations.length ? locations : ['none'] },
    {
      label: 'Schedules',
      pieces: [`${f.schedules.length}${paused ? ` (${paused} paused)` : ''}`],
    },
    {
      label: 'PersistentVolumeClaims',
      pieces: [
        `${f.pvcs}${uncovered ? `, in ${plural(uncovered, 'namespace')} no Schedule covers` : ''}`,
      ],
    },
  ];
}

function veleroFacts(d: BackupStatusData): Fact[] {
  if (d.velero) return veleroFactsOf(d.velero);
  const state =
    d.veleroInstalled === undefined
      ? 'could not be asked'
      : d.veleroInstalled
        ? 'installed; its objects could not all be read'
        : 'not installed';
  return [{ label: 'Velero', pieces: [state] }];
}

/** The report's findings and facts, split into its two halves (etcd first). */
export function backupHalves(report: BackupStatusView): [BackupHalf, BackupHalf] {
  const now = Date.parse(report.finishedAt);
  const etcd = report.findings.filter((f) => f.id.startsWith('backup.etcd'));
  const velero = report.findings.filter((f) => !f.id.startsWith('backup.etcd'));
  return [
    { title: ETCD_HALF, findings: etcd, facts: etcdFacts(report.data.etcd, now) },
    { title: VELERO_HALF, findings: velero, facts: veleroFacts(report.data) },
  ];
}

/** A fact as plain text (the terminal). */
export const factText = (f: Fact) =>
  `${f.label}: ${f.pieces.map((p) => (typeof p === 'string' ? p : p.code)).join('')}`;
