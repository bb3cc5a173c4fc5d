/**
 * What to fix first: critical before warnings, and within a severity by how directly
 * it hands out every Secret — etcd open to anyone, then RBAC open to everyone, then
 * etcd without client certificates, then Secrets in plain text, and so on. The
 * report's findings come in this order, so every renderer lists them so.
 */
import type { Finding, Severity } from '../../domain/report.js';

const RANK: readonly string[] = [
  'security.etcd.auth',
  'security.rbac.broad',
  'security.etcd.client-cert',
  'security.encryption.unencrypted',
  'security.etcd.https',
  'security.etcd.peer',
  'security.etcd.cert.expired',
  'security.etcd.cert.client',
  'security.rbac.cluster-admin',
  'security.rbac.secret-readers',
  'security.encryption.weak',
  'security.pods.host-access',
  'security.psa',
  'security.etcd.cert.expiring',
  'security.etcd.cert.names',
  'security.encryption.unknown',
  'security.encryption.unchecked',
  'security.etcd.unchecked',
  'security.access.unchecked',
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
