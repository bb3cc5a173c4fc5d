/** The security audit's input for one configured cluster: the CLI and the job build it alike. */
import type { ClusterConfig, Config } from '../../config/schema.js';
import type { SecurityAuditInput } from '../../operations/security/audit.js';

export function auditInputFor(
  config: Config,
  cluster: ClusterConfig,
  more: Partial<SecurityAuditInput> = {},
): SecurityAuditInput {
  const { allowedRegistries, requireEgressDeny } = config.security;
  return {
    cluster: cluster.name,
    endpoints: cluster.etcd.endpoints,
    metricsUrls: cluster.etcd.metricsUrls,
    timeoutMs: config.check.timeout,
    etcdAuth: Boolean(cluster.etcd.username),
    requireEgressDeny,
    ...(allowedRegistries ? { allowedRegistries } : {}),
    ...more,
  };
}
