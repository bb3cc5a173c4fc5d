/**
 * Findings about etcd's server certificates, from the handshakes of the access probe:
 * expired (critical), expiring within 30 days, or not naming the host clients use.
 */
import type { Finding } from '../../domain/report.js';
import { listSome } from '../kube/report.js';
import type { EtcdEndpointAccess } from '../../domain/security.js';

const DAY = 86_400_000;
const CERT_WARN_DAYS = 30;

export function certFindings(f: { endpoints: EtcdEndpointAccess[]; now: Date }): Finding[] {
  const withCert = f.endpoints.flatMap((e) =>
    e.certificate ? [{ ...e, cert: e.certificate }] : [],
  );
  if (!withCert.length) return [];
  const now = f.now.getTime();
  const days = (iso: string) => Math.floor((Date.parse(iso) - now) / DAY);
  const expired = withCert.filter((e) => Date.parse(e.cert.notAfter) <= now);
  const soon = withCert.filter(
    (e) => !expired.includes(e) && days(e.cert.notAfter) < CERT_WARN_DAYS,
  );
  const misnamed = withCert.filter((e) => !e.cert.nameMatches);
  const renew =
    'Renew the etcd serving certificates (kubeadm: kubeadm certs renew etcd-server on each control-plane node, then restart etcd) and check: kubeadm certs check-expiration.';
  const out: Finding[] = [];
  const line = (e: (typeof withCert)[number]) =>
    `${e.endpoint}: ${e.cert.subject}, until ${e.cert.notAfter}`;
  if (expired.length)
    out.push({
      id: 'security.etcd.cert.expired',
      severity: 'crit',
      title: `etcd server certificate expired: ${listSome(
        expired.map((e) => e.endpoint),
        4,
      )}`,
      detail: expired.map(line).join('\n'),
      remedy: renew,
    });
  if (soon.length)
    out.push({
      id: 'security.etcd.cert.expiring',
      severity: 'warn',
      title: `etcd server certificate expires within ${CERT_WARN_DAYS} days: ${listSome(
        soon.map((e) => `${e.endpoint} (${days(e.cert.notAfter)} d)`),
        4,
      )}`,
      detail: soon.map(line).join('\n'),
      remedy: renew,
    });
  if (misnamed.length)
    out.push({
      id: 'security.etcd.cert.names',
      severity: 'warn',
      title: `etcd server certificate does not name the host clients use: ${listSome(
        misnamed.map((e) => e.endpoint),
        4,
      )}`,
      detail: misnamed
        .map((e) => `${e.endpoint}: names ${e.cert.names.join(', ') || 'none'}`)
        .join('\n'),
      remedy:
        'Clients that check names (the kube-apiserver does) cannot connect by this address. Reissue the certificate with the host in its subjectAltName (kubeadm: etcd.local.serverCertSANs, then kubeadm init phase certs etcd-server).',
    });
  if (!out.length) {
    const first = withCert.map((e) => e.cert.notAfter).sort()[0] ?? '';
    out.push({
      id: 'security.etcd.cert',
      severity: 'ok',
      title: `etcd server certificates valid for ${days(first)} more days and name their hosts`,
      detail: `Earliest expiry ${first}`,
    });
  }
  out.push(...clientCertFindings(f.endpoints, now));
  return out;
}

/** Quorum's own client certificate: the audit stops working when it expires. */
function clientCertFindings(endpoints: EtcdEndpointAccess[], now: number): Finding[] {
  const cert = endpoints.find((e) => e.clientCertificate)?.clientCertificate;
  if (!cert) return [];
  const days = Math.floor((Date.parse(cert.notAfter) - now) / DAY);
  if (days >= CERT_WARN_DAYS) return [];
  return [
    {
      id: 'security.etcd.cert.client',
      severity: days < 0 ? 'crit' : 'warn',
      title:
        days < 0
          ? `Quorum's etcd client certificate expired on ${cert.notAfter.slice(0, 10)}`
          : `Quorum's etcd client certificate expires in ${days} days (${cert.notAfter.slice(0, 10)})`,
      detail: cert.subject,
      remedy:
        "Issue a new client certificate from the etcd CA (docs/operators-guide.md shows how), replace the files ETCDCTL_CERT and ETCDCTL_KEY (or the cluster's etcd.cert and etcd.key) name, and restart the workers.",
    },
  ];
}
