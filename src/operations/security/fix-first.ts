/**
 * What to fix first: critical before warnings, and within a severity by how directly
 * it hands out every Secret — etcd open to anyone, then RBAC open to everyone, then
 * etcd without client certificates, then Secrets in plain text, and so on. The
 * report's findings come in this order, so every renderer lists them so.
 */
import type { Finding, Severity } from '../../domain/report.js';

const RANK: readonly string[] = [
  'security.etcd.auth',
  'security.apiserver.authorization-mode',
  'security.rbac.broad',
  'security.etcd.client-cert',
  'security.encryption.unencrypted',
  'security.apiserver.encryption-config',
  'security.etcd.https',
  'security.etcd.peer',
  // Anonymous access and no audit log before image tags (the hardening sequence's order).
  'security.apiserver.anonymous-auth',
  'security.apiserver.audit-log',
  'security.etcd.cert.expired',
  'security.etcd.cert.client',
  'security.rbac.cluster-admin',
  'security.rbac.secret-readers',
  'security.apiserver.admission',
  'security.apiserver.service-account-lookup',
  'security.encryption.weak',
  'security.pods.host-access',
  'security.psa',
  'security.network.default-deny',
  'security.network.unselected',
  'security.serviceaccount.automount',
  'security.controller-manager.bind-address',
  'security.scheduler.bind-address',
  'security.images.mutable-tag',
  'security.images.registry',
  'security.images.pull-policy',
  'security.network.default-deny-egress',
  'security.apiserver.profiling',
  'security.controller-manager.profiling',
  'security.scheduler.profiling',
  'security.etcd.cert.expiring',
  'security.etcd.cert.names',
  'security.encryption.unknown',
  'security.images.unparseable',
  'security.encryption.unchecked',
  'security.etcd.unchecked',
  'security.access.unchecked',
  'security.control-plane.unchecked',
  'security.network.unchecked',
  'security.serviceaccount.unchecked',
  'security.images.unchecked',
];

const SEVERITY: Record<Severity, number> = { crit: 0, warn: 1, info: 2, ok: 3 };

const rank = (f: Finding) => {
  const i = RANK.indexOf(f.id);
  return i === -1 ? RANK.length : i;
};

/** The findings in fix-first order, and the ids of those that need fixing. */
export function prioritise(findings: readonly Finding[]): {
  findings: Finding[];
  fixFirst: string[];
} {
  const sorted = findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        SEVERITY[a.f.severity] - SEVERITY[b.f.severity] || rank(a.f) - rank(b.f) || a.i - b.i,
    )
    .map(({ f }) => f);
  const fixFirst = sorted
    .filter((f) => f.severity === 'crit' || f.severity === 'warn')
    .map((f) => f.id);
  return { findings: sorted, fixFirst };
}
