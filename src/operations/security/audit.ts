/**
 * `security audit`: what anyone with etcd access can read, and what to fix first. Three
 * parts run at once — the census of Secrets at rest (secrets-scan.ts), how etcd answers a
 * stranger (each member's accessProbe and the member list), and cluster access through
 * the Kubernetes API (cluster-access.ts) — then the rules judge and fix-first.ts orders.
 * A part that cannot run is a warning naming why; when none can, the report could not run.
 * Only counts, names of namespaces and subjects, and etcd's own metadata reach the report.
 */
import { describeError } from '../../domain/errors.js';
import type { EtcdEndpointAccess, SecurityAuditReport } from '../../domain/security.js';
import type { ProgressFn } from '../../domain/snapshot.js';
import type { EtcdConnector, EtcdMember } from '../etcd/client.js';
import type { KubeClient } from '../kube/client.js';
import { clusterAccessFindings } from './access-rules.js';
import { gatherClusterAccess } from './cluster-access.js';
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
  now?: () => Date;
  onProgress?: ProgressFn;
}

export interface SecurityAuditClients {
  connect: EtcdConnector;
  /** The cluster's API client; throwing (no kubeconfig) skips the cluster checks, with a warning. */
  kube?: () => KubeClient;
}

type Outcome<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

async function outcome<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { value: await work() };
  } catch (err) {
    return { error: describeError(err) };
  }
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

export async function securityAudit(
  clients: SecurityAuditClients,
  input: SecurityAuditInput,
): Promise<SecurityAuditReport> {
  const now = input.now ?? (() => new Date());
  const startedAt = now();
  const members = input.endpoints.map((e, i) => clients.connect(e, input.metricsUrls?.[i]));
  try {
    const [endpoints, memberList, census, access] = await Promise.all([
      probeAll(members, input.timeoutMs),
      fromAnyMember(members, (m) => m.memberList(Date.now() + input.timeoutMs)),
      fromAnyMember(members, (m) =>
        scanSecrets(m, {
          timeoutMs: input.timeoutMs,
          pageSize: input.pageSize,
          onProgress: input.onProgress,
        }),
      ),
      clients.kube
        ? outcome(() => gatherClusterAccess((clients.kube as () => KubeClient)(), input.timeoutMs))
        : Promise.resolve({ error: 'no Kubernetes API configured' } as Outcome<never>),
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
      ...clusterAccessFindings(access.value, access.error),
    ]);
    const etcdAnswered = endpoints.some((e) => e.anonymous !== 'unknown') || census.value;
    return {
      kind: 'security.audit',
      cluster: input.cluster,
      startedAt: startedAt.toISOString(),
      finishedAt: now().toISOString(),
      findings,
      ...(etcdAnswered || access.value
        ? {}
        : { couldNotRun: 'Neither etcd nor the Kubernetes API answered.' }),
      data: {
        ...(census.value ? { encryption: census.value } : { encryptionError: census.error }),
        etcd,
        ...(access.value ? { access: access.value } : { accessError: access.error }),
        fixFirst,
      },
    };
  } finally {
    for (const m of members) m.close();
  }
}
