/**
 * Gathering the upgrade inventory from a live cluster, every read at once and each
 * bounded by the timeout: from the Kubernetes API `/version`, the nodes, kube-system's
 * pods (control plane, kube-proxy, CoreDNS), every PodDisruptionBudget, `/metrics`
 * (deprecated APIs requested) and the serving certificate from a TLS handshake; from
 * etcd the check and each member's version; the etcd certificate files; the snapshot
 * store. A read that fails is a gap in the inventory (a warning in the report, naming
 * what is unchecked), never a silent pass.
 */
import { describeError } from '../../domain/errors.js';
import { fileDrillRecords } from '../etcd/drill-records.js';
import type { KubeClient } from '../kube/client.js';
import {
  certFileExpiry,
  etcdCertFiles,
  etcdFacts,
  newestVerifiedSnapshot,
  type GatherEtcd,
} from './gather-etcd.js';
import {
  controlPlaneParts,
  coreDnsImage,
  inventoryNodes,
  kubeProxyVersions,
} from './gather-kube.js';
import { parseDeprecatedApis, type InventoryGap, type UpgradeInventory } from './inventory.js';

export type { GatherEtcd } from './gather-etcd.js';

export interface GatherInput {
  cluster: string;
  /** Bound of each Kubernetes API call and of the etcd check's probes, ms. */
  timeoutMs: number;
}

/** The `what` of the gap left when `/version` cannot be read. */
export const VERSION_GAP = 'the API server version (GET /version)';

type Read<T> = { value?: T; gap?: InventoryGap };

/** `work`'s value, or a gap naming `what` and why. */
async function read<T>(what: string, work: () => Promise<T>): Promise<Read<T>> {
  try {
    return { value: await work() };
  } catch (err) {
    return { gap: { what, error: describeError(err) } };
  }
}

export async function gatherInventory(
  kube: KubeClient,
  etcd: GatherEtcd,
  input: GatherInput,
): Promise<UpgradeInventory> {
  const deadline = () => Date.now() + input.timeoutMs;
  const [version, nodes, pods, pdbs, metrics, serving, facts, snapshot, drills, ...certs] =
    await Promise.all([
      read(VERSION_GAP, () => kube.version(deadline())),
      read('the nodes', () => kube.listNodes(deadline())),
      read('the kube-system pods (control plane, kube-proxy, CoreDNS)', () =>
        kube.listPods({ namespace: 'kube-system' }, deadline()),
      ),
      read('the PodDisruptionBudgets', () => kube.listPdbs(undefined, deadline())),
      read("the API server's /metrics (deprecated APIs requested)", () =>
        kube.rawGet('/metrics', deadline()),
      ),
      read("the API server's serving certificate (TLS handshake)", () =>
        kube.servingCertificate(deadline()),
      ),
      read('etcd (the etcd check and member versions)', () =>
        etcdFacts(etcd, input.cluster, input.timeoutMs),
      ),
      read(`the snapshot store ${etcd.snapshots.location}`, () =>
        newestVerifiedSnapshot(etcd.snapshots, input.cluster),
      ),
      read('the drill records', () =>
        (etcd.drills ?? fileDrillRecords(etcd.snapshotDir)).history(input.cluster),
      ),
      ...etcdCertFiles(etcd).map(([label, file]) =>
        read(`the ${label} ${file}`, () => certFileExpiry(label, file)),
      ),
    ]);
  const systemPods = pods.value;
  const controlPlane = systemPods ? controlPlaneParts(systemPods) : undefined;
  const dns = systemPods ? coreDnsImage(systemPods) : undefined;
  const reads = [version, nodes, pods, pdbs, metrics, serving, facts, snapshot, drills, ...certs];
  const gaps = reads.flatMap((r) => (r.gap ? [r.gap] : []));
  return {
    cluster: input.cluster,
    apiserverVersion: version.value ?? '',
    apiservers: controlPlane?.apiservers ?? [],
    nodes: inventoryNodes(nodes.value ?? [], systemPods && kubeProxyVersions(systemPods)),
    components: controlPlane?.components ?? [],
    ...(dns ? { coreDnsImage: dns } : {}),
    etcdMembers: facts.value?.members ?? [],
    ...(controlPlane?.etcdExternal ? { etcdExternal: true } : {}),
    pdbs: pdbs.value ?? [],
    controlPlanePods: controlPlane?.controlPlanePods ?? [],
    deprecatedApis: metrics.value === undefined ? [] : parseDeprecatedApis(metrics.value),
    ...(serving.value
      ? {
          apiserverCert: {
            name: `kube-apiserver serving certificate (${kube.server})`,
            notAfter: serving.value.notAfter,
          },
        }
      : {}),
    etcdCerts: certs.flatMap((c) => (c.value ? [c.value] : [])),
    ...(facts.value ? { etcdCheckWorst: facts.value.worst } : {}),
    ...(snapshot.value ? { newestVerifiedSnapshot: snapshot.value } : {}),
    ...(drills.value ? { drills: drills.value } : {}),
    gaps: [...gaps, ...(facts.value?.gaps ?? [])],
  };
}
