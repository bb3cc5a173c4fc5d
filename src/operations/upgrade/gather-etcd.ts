/**
 * The etcd side of the upgrade inventory: the etcd check (its worst severity, and each
 * member's version from its status), the expiry of the certificate files Quorum talks to
 * etcd with, and the newest verified snapshot. What cannot be read becomes a gap.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { EtcdThresholds as Thresholds } from '../../domain/thresholds.js';
import type { DrillRecords } from '../../domain/drill.js';
import { memberOfProbe } from '../../domain/etcd.js';
import { worstSeverity, type Severity } from '../../domain/report.js';
import { checkEtcd } from '../etcd/check.js';
import type { EtcdConnector } from '../etcd/client.js';
import type { SnapshotStore } from '../etcd/store/snapshot-store.js';
import type { CertExpiry, EtcdMemberVersion, InventoryGap } from './inventory.js';

/** How to reach the cluster's etcd, and where its snapshots and certificates are. */
export interface GatherEtcd {
  connect: EtcdConnector;
  endpoints: readonly string[];
  metricsUrls?: readonly string[];
  quotaBackendBytes?: number;
  thresholds: Thresholds;
  /** The CA file Quorum verifies etcd with (ETCDCTL_CACERT), when TLS is used. */
  cacert?: string;
  /** The client certificate file Quorum authenticates with (ETCDCTL_CERT). */
  cert?: string;
  /** This cluster's snapshot directory (the local one: drill records are kept there). */
  snapshotDir: string;
  /** This cluster's snapshot store (its directory, or a bucket). */
  snapshots: SnapshotStore;
  /** Where drill results are kept (a worker's Redis); else the records beside the snapshots. */
  drills?: DrillRecords;
}

export interface EtcdFacts {
  members: EtcdMemberVersion[];
  worst: Severity;
  gaps: InventoryGap[];
}

/** Runs the etcd check: member versions from the statuses, the worst finding, and unreachable members as gaps. */
export async function etcdFacts(
  etcd: GatherEtcd,
  cluster: string,
  timeoutMs: number,
): Promise<EtcdFacts> {
  const report = await checkEtcd(etcd.connect, {
    cluster,
    endpoints: etcd.endpoints,
    metricsUrls: etcd.metricsUrls,
    quotaBackendBytes: etcd.quotaBackendBytes,
    timeoutMs,
    thresholds: etcd.thresholds,
  });
  const { probes, view } = report.data;
  const members: EtcdMemberVersion[] = [];
  const gaps: InventoryGap[] = [];
  for (const p of probes) {
    const name = memberOfProbe(view, p)?.name || p.endpoint;
    if (p.status) members.push({ name, version: p.status.version });
    else
      gaps.push({
        what: `the etcd version of ${name}`,
        error: p.statusError ?? 'no status answer',
      });
  }
  const worst = report.couldNotRun ? 'crit' : worstSeverity(report.findings);
  return { members, worst, gaps };
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The earliest `notAfter` of the certificates in a PEM file (a CA bundle may hold several). */
export async function certFileExpiry(name: string, file: string): Promise<CertExpiry> {
  const blocks = (await readFile(file, 'utf8')).match(PEM) ?? [];
  if (!blocks.length) throw new Error(`${file} holds no PEM certificate`);
  const ends = blocks.map((b) => new Date(new X509Certificate(b).validTo));
  const first = ends.reduce((a, d) => (d < a ? d : a));
  return { name: `${name} ${file}`, notAfter: first.toISOString() };
}

/** The configured etcd certificate files: `[label, path]`. */
export function etcdCertFiles(etcd: GatherEtcd): [string, string][] {
  return [
    ...(etcd.cacert ? [['etcd CA certificate', etcd.cacert] as [string, string]] : []),
    ...(etcd.cert ? [['etcd client certificate', etcd.cert] as [string, string]] : []),
  ];
}

/** The newest snapshot of `cluster` that passed verification, if any. */
export async function newestVerifiedSnapshot(
  store: SnapshotStore,
  cluster: string,
): Promise<{ id: string; createdAt: string } | undefined> {
  const snap = (await store.list(cluster)).find((e) => e.verified);
  return snap && { id: snap.id, createdAt: snap.createdAt };
}
