/**
 * Findings about who can reach etcd and how: plain-http client and peer URLs, clients
 * accepted without a certificate, reads open to anyone, server certificates (expiry,
 * names), and metrics readable without credentials. Pure: facts in, findings out.
 */
import type { Finding } from '../../domain/report.js';
import type { EtcdEndpointAccess } from '../../domain/security.js';
import { listSome } from '../kube/report.js';
import { certFindings } from './etcd-cert-rules.js';

export interface EtcdAccessFacts {
  endpoints: EtcdEndpointAccess[];
  members?: { name: string; peerUrls: string[]; clientUrls: string[] }[];
  memberListError?: string;
  /** Quorum connects with a user, so etcd authentication is on. */
  authConfigured: boolean;
  now: Date;
}

/** The URL's host is this machine: nothing it serves crosses a network. */
export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

const TLS_FLAGS =
  '--cert-file, --key-file, --client-cert-auth=true and --trusted-ca-file on every member (kubeadm sets them in /etc/kubernetes/manifests/etcd.yaml)';

function httpsFindings(f: EtcdAccessFacts): Finding[] {
  const urls = [
    ...new Set([
      ...f.endpoints.map((e) => e.endpoint),
      ...(f.members ?? []).flatMap((m) => m.clientUrls),
    ]),
  ];
  const plain = urls.filter((u) => u.startsWith('http:'));
  const remote = plain.filter((u) => !isLoopback(u));
  const remedy = `Serve clients over TLS: https:// in --listen-client-urls and --advertise-client-urls, with ${TLS_FLAGS}; then point every kube-apiserver's --etcd-servers at https with --etcd-cafile, --etcd-certfile and --etcd-keyfile.`;
  if (remote.length) {
    return [
      {
        id: 'security.etcd.https',
        severity: 'crit',
        title: `etcd serves clients over plain http: ${listSome(remote, 4)}`,
        detail:
          'Every read, Secrets included, and every credential crosses the network in clear text.',
        remedy,
      },
    ];
  }
  if (plain.length) {
    return [
      {
        id: 'security.etcd.https',
        severity: 'warn',
        title: `etcd serves clients over plain http on loopback: ${listSome(plain, 4)}`,
        detail:
          'Only this host reaches it, but any process on the host can talk to etcd without a certificate.',
        remedy,
      },
    ];
  }
  return [
    {
      id: 'security.etcd.https',
      severity: 'ok',
      title: `Every etcd client URL uses https (${urls.length})`,
    },
  ];
}

function strangerFindings(f: EtcdAccessFacts): Finding[] {
  const answered = f.endpoints.filter((e) => e.anonymous !== 'unknown');
  const open = answered.filter((e) => e.anonymous === 'open');
  const accepted = answered.filter(
    (e) => e.endpoint.startsWith('https:') && e.anonymous !== 'refused',
  );
  const out: Finding[] = [];
  if (open.length) {
    out.push({
      id: 'security.etcd.auth',
      severity: 'crit',
      title: `Anyone who reaches etcd reads every key, Secrets included: ${listSome(
        open.map((e) => e.endpoint),
        4,
      )}`,
      detail: 'A client with no certificate and no user was answered a count of all keys.',
      remedy: `Require client certificates (${TLS_FLAGS}); the kube-apiserver already presents one (--etcd-certfile). Firewall port 2379 to the control-plane nodes. etcd authentication alone (etcdctl auth enable) is no substitute: the kube-apiserver cannot send a password.`,
    });
  }
  if (accepted.length) {
    out.push({
      id: 'security.etcd.client-cert',
      severity: 'crit',
      title: `etcd accepts clients without a certificate: ${listSome(
        accepted.map((e) => e.endpoint),
        4,
      )}`,
      detail: accepted
        .map(
          (e) =>
            `${e.endpoint}: ${e.anonymous === 'open' ? 'read without any credentials' : `only a password stands in the way (${e.anonymousDetail ?? 'etcd authentication'})`}`,
        )
        .join('\n'),
      remedy: `Turn on client-certificate auth: ${TLS_FLAGS}; restart the members one at a time, checking health between (quorum etcd check).`,
    });
  }
  const https = answered.filter((e) => e.endpoint.startsWith('https:'));
  if (!open.length && answered.length && https.length && !accepted.length) {
    out.push({
      id: 'security.etcd.client-cert',
      severity: 'ok',
      title: `etcd refuses clients without a certificate (${https.length} of ${f.endpoints.length} endpoints tried)`,
    });
  }
  if (!open.length && answered.length) {
    const certs = https.length > 0 && !accepted.length;
    const auth = f.authConfigured || answered.some((e) => e.anonymous === 'auth-required');
    out.push({
      id: 'security.etcd.auth',
      severity: 'ok',
      title: `Reading etcd needs ${[certs ? 'a client certificate' : '', auth ? 'a user and password' : ''].filter(Boolean).join(' and ') || 'credentials'}`,
      ...(certs && !auth
        ? {
            detail:
              'etcd authentication is off: any certificate the etcd CA signed reads everything, so guard that CA key.',
          }
        : {}),
    });
  }
  return out;
}

function peerFindings(f: EtcdAccessFacts): Finding[] {
  if (!f.members) return [];
  const urls = f.members.flatMap((m) => m.peerUrls);
  const plain = urls.filter((u) => u.startsWith('http:'));
  const remote = plain.filter((u) => !isLoopback(u));
  if (remote.length) {
    return [
      {
        id: 'security.etcd.peer',
        severity: 'crit',
        title: `etcd members replicate over plain http: ${listSome(remote, 4)}`,
        detail:
          'Every write, Secrets included, crosses the network in clear text, and anyone who reaches a peer port can talk raft to the member.',
        remedy:
          'Give every member --peer-cert-file, --peer-key-file, --peer-client-cert-auth=true and --peer-trusted-ca-file, change each peer URL to https (etcdctl member update <id> --peer-urls=https://…), and restart the members one at a time.',
      },
    ];
  }
  if (plain.length) {
    return [
      {
        id: 'security.etcd.peer',
        severity: 'info',
        title: `Peer URL on loopback, plain http: ${listSome(plain, 4)}`,
        detail: 'A single host: no peer traffic leaves it.',
      },
    ];
  }
  return [
    {
      id: 'security.etcd.peer',
      severity: 'ok',
      title: `Every peer URL uses https (${urls.length})`,
    },
  ];
}

function metricsFindings(f: EtcdAccessFacts): Finding[] {
  const open = f.endpoints.flatMap((e) => (e.metrics?.open ? [e.metrics.url] : []));
  if (!open.length) return [];
  return [
    {
      id: 'security.etcd.metrics',
      severity: 'info',
      title: `etcd metrics readable without credentials: ${listSome(open, 4)}`,
      detail:
        'They show key counts, sizes and request rates, not values. Keep them on loopback (kubeadm: --listen-metrics-urls=http://127.0.0.1:2381) or behind a firewall.',
    },
  ];
}

function uncheckedFindings(f: EtcdAccessFacts): Finding[] {
  const lines = [
    ...f.endpoints
      .filter((e) => e.anonymous === 'unknown')
      .map((e) => `${e.endpoint}: ${e.anonymousDetail ?? 'no answer'}`),
    ...f.endpoints
      .filter((e) => e.certificateError)
      .map((e) => `${e.endpoint} certificate: ${e.certificateError ?? ''}`),
    ...(f.memberListError ? [`member list: ${f.memberListError}`] : []),
  ];
  if (!lines.length) return [];
  return [
    {
      id: 'security.etcd.unchecked',
      severity: 'warn',
      title: 'Part of etcd could not be checked',
      detail: lines.join('\n'),
      remedy: 'Run the audit where every member answers (quorum etcd check shows which do not).',
    },
  ];
}

export function etcdAccessFindings(facts: EtcdAccessFacts): Finding[] {
  return [
    ...httpsFindings(facts),
    ...strangerFindings(facts),
    ...certFindings(facts),
    ...peerFindings(facts),
    ...metricsFindings(facts),
    ...uncheckedFindings(facts),
  ];
}
