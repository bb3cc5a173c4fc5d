/**
 * The API server's serving certificate, read from a TLS handshake with the kubeconfig's
 * server, for its expiry. The chain is *not* required to verify (`rejectUnauthorized:
 * false`): an expired or otherwise invalid certificate must still be read to be reported.
 * Nothing is sent over the connection; it is closed once the certificate is in. Whether
 * the chain verified against the kubeconfig's CA is returned as `verified`.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ServingCertificate } from '../domain/kube.js';

/** `CN=kube-apiserver, O=…` from Node's parsed subject or issuer. */
function dn(name: object | undefined): string {
  return Object.entries(name ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

/** The kubeconfig cluster's CA (data or file), only for `verified`: no credentials are needed. */
async function clusterCa(kc: KubeConfig): Promise<Buffer | undefined> {
  const cluster = kc.getCurrentCluster();
  if (cluster?.caData) return Buffer.from(cluster.caData, 'base64');
  return cluster?.caFile ? readFile(cluster.caFile) : undefined;
}

/** Handshake with `server` (https://host:port) and read the certificate it presents. */
export async function readServingCertificate(
  kc: KubeConfig,
  server: string,
  signal: AbortSignal,
): Promise<ServingCertificate> {
  const url = new URL(server);
  if (url.protocol !== 'https:') throw new Error(`${server} is not https: it has no certificate`);
  const ca = await clusterCa(kc);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      ...(net.isIP(host) ? {} : { servername: host }),
      ...(ca ? { ca } : {}),
      rejectUnauthorized: false,
    });
    const abort = () => socket.destroy(signal.reason as Error);
    signal.addEventListener('abort', abort, { once: true });
    socket.once('error', (err: Error) => {
      signal.removeEventListener('abort', abort);
      reject(err);
    });
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', abort);
      const cert = socket.getPeerCertificate();
      const verified = socket.authorized;
      socket.destroy();
      const notAfter = cert.valid_to ? new Date(cert.valid_to) : undefined;
      if (!notAfter || Number.isNaN(notAfter.getTime())) {
        reject(new Error(`${server} presented no readable certificate`));
        return;
      }
      resolve({
        subject: dn(cert.subject),
        issuer: dn(cert.issuer),
        notAfter: notAfter.toISOString(),
        verified,
      });
    });
  });
}
