/**
 * Alertmanager's API v2 for silences: create (`POST /api/v2/silences`) and expire
 * (`DELETE /api/v2/silence/{id}`), over node's http/https with the target's bearer
 * token or basic auth and TLS files, every request bounded by the target's timeout.
 * No answer (network, TLS, timeout) → ALERTMANAGER_UNREACHABLE; an HTTP error →
 * ALERTMANAGER_REFUSED with Alertmanager's own words. Credentials never reach a message.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { QuorumError, describeError } from '../domain/errors.js';
import type {
  Alertmanager,
  AlertmanagerConnector,
  AlertmanagerTarget,
  NewSilence,
} from '../domain/silence.js';

interface Answer {
  status: number;
  body: string;
}

const MAX_BODY = 256 * 1024;

/** The URL as messages show it: no user info, no query. */
const shown = (url: URL) => `${url.origin}${url.pathname}`;

export const alertmanagerConnector: AlertmanagerConnector = (target) => alertmanagerClient(target);

export function alertmanagerClient(target: AlertmanagerTarget): Alertmanager {
  const call = (method: string, path: string, body?: unknown) =>
    request(target, method, path, body);
  return {
    async createSilence(silence: NewSilence) {
      const res = await call('POST', 'api/v2/silences', silence);
      if (res.status !== 200) throw refused(target, 'create the silence', res);
      const id = jsonField(res.body, (b: { silenceID?: unknown }) => b.silenceID);
      if (typeof id !== 'string' || !id)
        throw refused(target, 'create the silence', { ...res, body: 'no silenceID in its answer' });
      return id;
    },
    async expireSilence(id: string) {
      const path = `api/v2/silence/${encodeURIComponent(id)}`;
      const res = await call('DELETE', path);
      if (res.status === 200 || res.status === 404) return;
      // Expiring an expired silence is an error to Alertmanager; to us it is done.
      const now = await call('GET', path);
      if (now.status === 404) return;
      if (now.status === 200 && stateOf(now.body) === 'expired') return;
      throw refused(target, `expire silence ${id}`, res);
    },
  };
}

function jsonField<T, R>(body: string, pick: (b: T) => R): R | undefined {
  try {
    return pick(JSON.parse(body) as T);
  } catch {
    return undefined;
  }
}

const stateOf = (body: string) =>
  jsonField(body, (b: { status?: { state?: string } }) => b.status?.state);

function refused(target: AlertmanagerTarget, what: string, res: Answer): QuorumError {
  const words = res.body.replace(/\s+/g, ' ').trim().slice(0, 300);
  const auth = res.status === 401 || res.status === 403;
  return new QuorumError(
    'ALERTMANAGER_REFUSED',
    `Alertmanager at ${shown(new URL(target.url))} would not ${what}: HTTP ${res.status}${words ? ` ${words}` : ''}.`,
    auth
      ? 'Check the credentials Quorum sends (alertmanager.authorization, bearerToken or basicAuth, per route or cluster) against Alertmanager’s web config.'
      : 'Check Alertmanager’s log; the silence was not changed.',
  );
}

async function tlsOptions(target: AlertmanagerTarget): Promise<https.RequestOptions> {
  const t = target.tls;
  if (!t) return {};
  const read = async (file?: string) => {
    if (!file) return undefined;
    try {
      return await readFile(file);
    } catch (err) {
      throw new QuorumError(
        'TLS_FILE_UNREADABLE',
        `Cannot read ${file} for Alertmanager's TLS: ${describeError(err)}.`,
        'Fix alertmanager.tlsConfig (caFile, certFile, keyFile) in the config file.',
        { cause: err },
      );
    }
  };
  const [ca, cert, key] = await Promise.all([read(t.caFile), read(t.certFile), read(t.keyFile)]);
  return { ca, cert, key, rejectUnauthorized: !t.insecureSkipVerify };
}

function authHeader(target: AlertmanagerTarget): Record<string, string> {
  if (target.bearerToken) return { Authorization: `Bearer ${target.bearerToken}` };
  if (target.basicAuth) {
    const { username, password } = target.basicAuth;
    return { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  }
  return {};
}

async function request(
  target: AlertmanagerTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const base = new URL(target.url.endsWith('/') ? target.url : `${target.url}/`);
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const tls = url.protocol === 'https:' ? await tlsOptions(target) : {};
  const lib = url.protocol === 'https:' ? https : http;
  const unreachable = (reason: string, cause?: unknown) =>
    new QuorumError(
      'ALERTMANAGER_UNREACHABLE',
      `Alertmanager at ${shown(base)} did not answer ${method} /${path}: ${reason}.`,
      'Check that Alertmanager runs and that QUORUM_ALERTMANAGER_URL (or alertmanager.url of the route or cluster) points at it from where Quorum runs, and its TLS settings (alertmanager.tlsConfig).',
      { cause },
    );
  return new Promise<Answer>((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        ...tls,
        headers: {
          Accept: 'application/json',
          ...(payload === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          ...authHeader(target),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY) chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (err) => reject(unreachable(describeError(err), err)));
      },
    );
    const timer = setTimeout(
      () => req.destroy(unreachable(`no answer within ${target.timeoutMs} ms`)),
      target.timeoutMs,
    );
    req.on('error', (err) =>
      reject(err instanceof QuorumError ? err : unreachable(describeError(err), err)),
    );
    req.on('close', () => clearTimeout(timer));
    req.end(payload);
  });
}
