/**
 * How an etcd endpoint answers a stranger, for the security audit (EtcdMember.accessProbe):
 *
 * - the server certificate, from a TLS handshake (with the configured CA, and the client
 *   certificate when there is one, so a TLS 1.2 server that insists still shows it); the
 *   chain is not required to verify, so an expired certificate is still read;
 * - a count-only Range through etcd's JSON gateway (`POST /v3/kv/range`, count_only: no key
 *   or value is returned) with no client certificate and no user: a refused handshake
 *   means client-certificate auth is on; an error from etcd means authentication is on;
 *   an answer means anyone who reaches the port can read every key;
 * - the metrics URL, also without credentials (only the status is read).
 */
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type {
  AnonymousResult,
  EtcdEndpointAccess,
  EtcdServerCertificate,
} from '../domain/security.js';

export interface AccessProbeTarget {
  endpoint: string;
  metricsUrl: string;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

const BODY_LIMIT = 64 * 1024;
/** etcd answers "user name is empty" (InvalidArgument), "permission denied", "invalid auth token". */
const AUTH_CODES = new Set([3, 7, 16]);

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');
const remaining = (deadline: number) => Math.max(1, deadline - Date.now());
const message = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).split('\n')[0]?.trim() ?? '';

/** `DNS:localhost, IP Address:127.0.0.1` → `['localhost', '127.0.0.1']`. */
export function altNames(subjectaltname: string | undefined): string[] {
  return (subjectaltname ?? '')
    .split(/,\s*/)
    .map((s) => s.replace(/^(DNS|IP Address):/, '').trim())
    .filter(Boolean);
}

function dn(name: object | undefined): string {
  return Object.entries(name ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

export function serverCertificate(
  target: AccessProbeTarget,
  deadline: number,
): Promise<EtcdServerCertificate> {
  const url = new URL(target.endpoint);
  const host = hostOf(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port: Number(url.port || 2379),
      ...(net.isIP(host) ? {} : { servername: host }),
      ca: target.tls?.ca,
      cert: target.tls?.cert,
      key: target.tls?.key,
      rejectUnauthorized: false,
      timeout: remaining(deadline),
    });
    socket.once('timeout', () => socket.destroy(new Error('no TLS handshake before the deadline')));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const verified = socket.authorized;
      socket.destroy();
      const notAfter = new Date(cert.valid_to);
      if (!cert.valid_to || Number.isNaN(notAfter.getTime())) {
        reject(new Error('the server presented no readable certificate'));
        return;
      }
      resolve({
        subject: dn(cert.subject),
        issuer: dn(cert.issuer),
        notAfter: notAfter.toISOString(),
        names: altNames(cert.subjectaltname),
        nameMatches: tls.checkServerIdentity(host, cert) === undefined,
        verified,
      });
    });
  });
}

interface Answer {
  status: number;
  body: string;
}

/** A request with no client certificate and no credentials; the body is capped. */
function anonymousRequest(url: string, deadline: number, body?: string): Promise<Answer> {
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        rejectUnauthorized: false,
        timeout: remaining(deadline),
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (body === undefined) {
          res.destroy();
          resolve({ status, body: '' });
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.length > BODY_LIMIT) res.destroy();
        });
        res.on('close', () => resolve({ status, body: text.slice(0, BODY_LIMIT) }));
      },
    );
    req.once('timeout', () => req.destroy(new Error('no answer before the deadline')));
    req.once('error', reject);
    req.end(body);
  });
}

/** A TLS alert from the server (bad or required certificate) or a reset handshake. */
function refusedHandshake(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return /^ERR_SSL_.*ALERT/.test(code) || code === 'ECONNRESET';
}

async function anonymousRead(
  endpoint: string,
  deadline: number,
): Promise<{ result: AnonymousResult; detail?: string }> {
  // count_only over the whole keyspace: proves a read without returning a key or value.
  const body = JSON.stringify({ key: 'AA==', range_end: 'AA==', count_only: true });
  try {
    const answer = await anonymousRequest(
      `${endpoint.replace(/\/$/, '')}/v3/kv/range`,
      deadline,
      body,
    );
    if (answer.status === 200) return { result: 'open', detail: 'a count of all keys answered' };
    let parsed: { code?: number; message?: string; error?: string } = {};
    try {
      parsed = JSON.parse(answer.body) as typeof parsed;
    } catch {
      // not etcd's JSON error
    }
    const said = parsed.message ?? parsed.error ?? `HTTP ${answer.status}`;
    if (parsed.code !== undefined && AUTH_CODES.has(parsed.code))
      return { result: 'auth-required', detail: said };
    return { result: 'unknown', detail: said };
  } catch (err) {
    if (refusedHandshake(err)) return { result: 'refused', detail: message(err) };
    return { result: 'unknown', detail: message(err) };
  }
}

async function metricsExposure(url: string, deadline: number) {
  try {
    const answer = await anonymousRequest(url, deadline);
    return answer.status === 200
      ? { url, open: true }
      : { url, open: false, detail: `HTTP ${answer.status}` };
  } catch (err) {
    return { url, open: false, detail: message(err) };
  }
}

/** Subject and expiry of the configured client certificate; nothing when absent or unreadable. */
function clientCertificate(pem: Buffer | undefined) {
  if (!pem) return {};
  try {
    const cert = new X509Certificate(pem);
    return {
      clientCertificate: {
        subject: cert.subject.replace(/\n/g, ', '),
        notAfter: new Date(cert.validTo).toISOString(),
      },
    };
  } catch {
    return {};
  }
}

export async function probeEtcdAccess(
  target: AccessProbeTarget,
  deadline: number,
): Promise<EtcdEndpointAccess> {
  const secure = target.endpoint.startsWith('https:');
  const [cert, anonymous, metrics] = await Promise.all([
    secure
      ? serverCertificate(target, deadline).then(
          (certificate) => ({ certificate }),
          (err: unknown) => ({ certificateError: message(err) }),
        )
      : Promise.resolve({}),
    anonymousRead(target.endpoint, deadline),
    metricsExposure(target.metricsUrl, deadline),
  ]);
  return {
    endpoint: target.endpoint,
    ...cert,
    anonymous: anonymous.result,
    ...(anonymous.detail ? { anonymousDetail: anonymous.detail } : {}),
    metrics,
    ...clientCertificate(target.tls?.cert),
  };
}
