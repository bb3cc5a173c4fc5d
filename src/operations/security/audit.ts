/**
 * `security audit`: what anyone with etcd access can read, and what to fix first. Four
 * parts run at once — the census of Secrets at rest (secrets-scan.ts), how etcd answers a
 * stranger (each member's accessProbe and the member list), the cluster through the
 * Kubernetes API (kube-audit.ts: RBAC, pod security, NetworkPolicies, service-account
 * tokens, images, in one pass over the pods) and the control plane's own flags
 * (control-plane-flags.ts) — then the rules judge and fix-first.ts orders.
 * A part that cannot run is a warning naming why; when none can, the report could not run.
 * Only counts, names of namespaces and subjects, and etcd's own metadata reach the report.
 */
import { describeError } from '../../domain/errors.js';
import type { Finding } from '../../domain/report.js';
import type {
  EtcdEndpointAccess,
  SecurityAuditData,
  SecurityAuditReport,
} from '../../domain/security.js';
import type { ProgressFn } from '../../domain/snapshot.js';
import type { EtcdConnector, EtcdMember } from '../etcd/client.js';
import type { KubeClient } from '../kube/client.js';
import { clusterAccessFindings } from './access-rules.js';
import {
  controlPlaneFlagFindings,
  gatherControlPlaneFlags,
  type ControlPlaneFlagFacts,
} from './control-plane-flags.js';
import { imageFindings } from './image-rules.js';
import { gatherKubeAudit, type KubeAuditFacts } from './kube-audit.js';
import { networkFindings } from './network-rules.js';
import { outcome, type Outcome } from './outcome.js';
import { serviceAccountFindings } from './service-account-rules.js';
import { encryptionFindings } from './encryption-rules.js';
import { etcdAccessFindings } from './etcd-access-rules.js';
import { prioritise } from './fix-first.js';
import { scanSecrets } from './secrets-scan.js';

export interface SecurityAuditInput {
  cluster: string;
  endpoints: readonly string[];
  /** Per endpoint, when /metrics is not on the client URL. */
  metricsUrls?: readonly string[];
  /** Bound of each call (a page of the scan, a probe, an API list), in ms. */
  timeoutMs: number;
  /** Quorum's etcd config has a user: etcd authentication is on. */
  etcdAuth: boolean;
  /** Keys per page of the Secrets scan at most. */
  pageSize?: number;
  /** The config's `security` section. */
  requireEgressDeny?: boolean;
  allowedRegistries?: string[];
  now?: () => Date;
  onProgress?: ProgressFn;
}

export interface SecurityAuditClients {
  connect: EtcdConnector;
  /** The cluster's API client; throwing (no kubeconfig) skips the cluster checks, with a warning. */
  kube?: () => KubeClient;
}

/** The first member's answer, else every member's error. */
async function fromAnyMember<T>(members: EtcdMember[], work: (m: EtcdMember) => Promise<T>) {
  const errors: string[] = [];
  for (const m of members) {
    const got = await outcome(() => work(m));
    if (got.error === undefined) return got;
    errors.push(`${m.endpoint}: ${got.error}`);
  }
  return { error: errors.join('; ') || 'no etcd endpoint configured' } as Outcome<T>;
}

async function probeAll(members: EtcdMember[], timeoutMs: number): Promise<EtcdEndpointAccess[]> {
  const deadline = Date.now() + timeoutMs;
  return Promise.all(
    members.map(async (m) => {
      const got = await outcome(() => m.accessProbe(deadline));
      return (
        got.value ?? { endpoint: m.endpoint, anonymous: 'unknown', anonymousDetail: got.error }
      );
    }),
  );
}

/** What the Kubernetes API told: the pod pass and its lists, and the control plane's flags. */
interface KubePart {
  facts: Outcome<KubeAuditFacts>;
  controlPlane: Outcome<ControlPlaneFlagFacts>;
}

async function kubePart(
  clients: SecurityAuditClients,
  input: SecurityAuditInput,
): Promise<KubePart> {
  let kube: KubeClient;
  try {
    if (!clients.kube) throw new Error('no Kubernetes API configured');
    kube = clients.kube();
  } catch (err) {
    const failed = { error: describeError(err) };
    return { facts: failed, controlPlane: failed };
  }
  const options = input.allowedRegistries ? { allowedRegistries: input.allowedRegistries } : {};
  const [facts, controlPlane] = await Promise.all([
    outcome(() => gatherKubeAudit(kube, input.timeoutMs, options)),
    outcome(() => gatherControlPlaneFlags(kube, input.timeoutMs)),
  ]);
  return { facts, controlPlane };
}

/** Some part of the Kubernetes API answered. */
function kubeAnswered({ facts, controlPlane }: KubePart): boolean {
  const f = facts.value;
  return Boolean(
    controlPlane.value || f?.access || f?.images || f?.network.network || f?.network.accounts,
  );
}

/**
 * Each phase's findings; when nothing of the Kubernetes API answered, one warning that says
 * why (access unchecked) instead of one per phase.
 */
function kubeFindings(kube: KubePart, input: SecurityAuditInput): Finding[] {
  const f = kube.facts.value;
  if (!kubeAnswered(kube)) {
    return clusterAccessFindings(undefined, f?.accessError ?? kube.facts.error ?? 'no answer');
  }
  return [
    ...clusterAccessFindings(f?.access, f?.accessError ?? kube.facts.error),
    ...networkFindings(
      f?.network.network,
      f?.network.networkError ?? kube.facts.error,
      input.requireEgressDeny ?? false,
    ),
    ...serviceAccountFindings(f?.network.accounts, f?.network.accountsError ?? kube.facts.error),
    ...imageFindings(f?.images, f?.imagesError ?? kube.facts.error),
    ...controlPlaneFlagFindings(kube.controlPlane.value, kube.controlPlane.error),
  ];
}

/** The report's data from the Kubernetes API: facts, or why each part could not be read. */
function kubeData({ facts, controlPlane }: KubePart): Partial<SecurityAuditData> {
  const f = facts.value;
  const cp = controlPlane.value;
  return {
    ...(f?.access ? { access: f.access } : { accessError: f?.accessError ?? facts.error }),
    ...(f ? { network: f.network } : {}),
    ...(f?.images ? { images: f.images } : { imagesError: f?.imagesError ?? facts.error }),
    ...(cp
      ? {
          controlPlane: cp.commands.map(({ component, pod, node, version }) => ({
            component,
            pod,
            ...(node ? { node } : {}),
            ...(version ? { version } : {}),
          })),
        }
      : { controlPlaneError: controlPlane.error }),
  };
}

export async function securityAudit(
  clients: SecurityAuditClients,
  input: SecurityAuditInput,
): Promise<SecurityAuditReport> {
  const now = input.now ?? (() => new Date());
  const startedAt = now();
  const members = input.endpoints.map((e, i) => clients.connect(e, input.metricsUrls?.[i]));
  try {
    const [endpoints, memberList, census, kube] = await Promise.all([
      probeAll(members, input.timeoutMs),
      fromAnyMember(members, (m) => m.memberList(Date.now() + input.timeoutMs)),
      fromAnyMember(members, (m) =>
        scanSecrets(m, {
          timeoutMs: input.timeoutMs,
          pageSize: input.pageSize,
          onProgress: input.onProgress,
        }),
      ),
      kubePart(clients, input),
    ]);
    const memberInfo = memberList.value?.map(({ name, peerUrls, clientUrls }) => ({
      name,
      peerUrls,
      clientUrls,
    }));
    const etcd = {
      endpoints,
      ...(memberInfo ? { members: memberInfo } : { memberListError: memberList.error }),
    };
    const { findings, fixFirst } = prioritise([
      ...encryptionFindings(census.value, census.error),
      ...etcdAccessFindings({ ...etcd, authConfigured: input.etcdAuth, now: now() }),
      ...kubeFindings(kube, input),
    ]);
    const etcdAnswered = endpoints.some((e) => e.anonymous !== 'unknown') || census.value;
    return {
      kind: 'security.audit',
      cluster: input.cluster,
      startedAt: startedAt.toISOString(),
      finishedAt: now().toISOString(),
      findings,
      ...(etcdAnswered || kubeAnswered(kube)
        ? {}
        : { couldNotRun: 'Neither etcd nor the Kubernetes API answered.' }),
      data: {
        ...(census.value ? { encryption: census.value } : { encryptionError: census.error }),
        etcd,
        ...kubeData(kube),
        fixFirst,
      },
    };
  } finally {
    for (const m of members) m.close();
  }
}
