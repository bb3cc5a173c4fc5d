/**
 * Debian's real Alertmanager (`prometheus-alertmanager`) on a free port: its own
 * storage dir, no clustering (`--cluster.listen-address=`), a config with one receiver
 * that sends nowhere, and optionally basic auth and TLS on its web listener (Prometheus'
 * web config file). Waits for /-/ready; close() stops it and removes its dir. `api`
 * calls its API v2 with the same credentials, to see what silences it really holds.
 */
import { readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import type { Certs } from './certs.js';
import { freePort } from './ports.js';
import { removeDir, tmpDir, waitFor } from './processes.js';
import { ServerProcess } from './server-process.js';

export const ALERTMANAGER_BIN =
  process.env.QUORUM_TEST_ALERTMANAGER ?? '/usr/bin/prometheus-alertmanager';

export interface AlertmanagerSilence {
  id: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

export interface AlertmanagerServer {
  /** `http://127.0.0.1:PORT` (https with `tls`). */
  url: string;
  server: ServerProcess;
  /** Every silence Alertmanager holds (GET /api/v2/silences). */
  silences(): Promise<AlertmanagerSilence[]>;
  close(): Promise<void>;
}

export interface AlertmanagerOptions {
  /** Basic auth on every route; Alertmanager keeps a bcrypt hash of the password. */
  basicAuth?: { username: string; password: string; bcryptHash: string };
  /** Serve HTTPS with the test PKI's server certificate. */
  tls?: Certs;
}

const CONFIG = `route:
  receiver: nowhere
  group_wait: 1s
receivers:
  - name: nowhere
`;

export async function startAlertmanager(
  opts: AlertmanagerOptions = {},
): Promise<AlertmanagerServer> {
  for (let attempt = 1; ; attempt++) {
    const dir = await tmpDir('alertmanager');
    const port = await freePort();
    await writeFile(path.join(dir, 'alertmanager.yml'), CONFIG);
    const web = webConfig(opts);
    if (web) await writeFile(path.join(dir, 'web.yml'), web);
    const server = new ServerProcess(
      ALERTMANAGER_BIN,
      [
        `--config.file=${path.join(dir, 'alertmanager.yml')}`,
        `--storage.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
        ...(web ? [`--web.config.file=${path.join(dir, 'web.yml')}`] : []),
      ],
      { name: 'alertmanager' },
    );
    const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    const call = (p: string) => get(`${url}${p}`, opts);
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        await server.stop();
        await removeDir(dir);
      })();
      return closing;
    };
    try {
      await waitFor(
        async () => {
          if (!server.running) throw new Error(`alertmanager did not start: ${server.describe()}`);
          return (await call('/-/ready').catch(() => ({ status: 0 }))).status === 200;
        },
        { what: `Alertmanager to be ready on ${url}`, timeoutMs: 20_000, intervalMs: 50 },
      );
    } catch (error) {
      await close();
      if (!/address already in use/i.test(server.logs()) || attempt >= 3) throw error;
      continue;
    }
    return {
      url,
      server,
      close,
      silences: async () => {
        const res = await call('/api/v2/silences');
        if (res.status !== 200)
          throw new Error(`GET /api/v2/silences: HTTP ${res.status} ${res.body}`);
        return JSON.parse(res.body) as AlertmanagerSilence[];
      },
    };
  }
}

function webConfig(opts: AlertmanagerOptions): string | undefined {
  const parts: string[] = [];
  if (opts.tls)
    parts.push(
      `tls_server_config:\n  cert_file: ${opts.tls.serverCert}\n  key_file: ${opts.tls.serverKey}`,
    );
  if (opts.basicAuth)
    parts.push(`basic_auth_users:\n  ${opts.basicAuth.username}: '${opts.basicAuth.bcryptHash}'`);
  return parts.length ? `${parts.join('\n')}\n` : undefined;
}

async function get(
  url: string,
  opts: AlertmanagerOptions,
): Promise<{ status: number; body: string }> {
  const auth = opts.basicAuth;
  const headers: Record<string, string> = auth
    ? {
        Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      }
    : {};
  if (!opts.tls) {
    const r = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
    return { status: r.status, body: await r.text() };
  }
  const ca = await readFile(opts.tls.ca);
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers, ca, timeout: 2_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timeout`)));
    req.on('error', reject);
  });
}
