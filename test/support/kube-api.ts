/**
 * A local HTTPS Kubernetes API server for tests: the real @kubernetes/client-node
 * talks to it through a generated kubeconfig (certificate-authority-data from the
 * test CA, a bearer token it checks). It serves the REST paths Quorum uses from an
 * in-memory store a test seeds and inspects (kube-store.ts, kube-routes.ts), records
 * every request, can hang (timeouts), refuse (403), and run hooks that change state
 * mid-test (a PDB that frees up after two refused evictions).
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { sharedCerts } from './certs.js';
import { tmpDir } from './processes.js';
import { route, status, type RouteRequest, type RouteResponse } from './kube-routes.js';
import { KubeStore } from './kube-store.js';

export { KubeStore, versionInfo, type KubeObject } from './kube-store.js';
export { continueExpired, status as kubeStatus, type RouteResponse } from './kube-routes.js';
export * as kube from './kube-objects.js';

/** One request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  contentType: string;
  body: unknown;
  /** The request carried the right bearer token. */
  authorized: boolean;
}

/**
 * Runs before a request is answered: may change the store, or answer instead (`'hang'` never
 * answers). A hook returning a promise holds the request until it settles (a slow server).
 */
export type RequestHook = (
  req: RecordedRequest,
  store: KubeStore,
) => HookAnswer | Promise<HookAnswer>;
type HookAnswer = RouteResponse | 'hang' | undefined;

export interface KubeconfigOptions {
  token?: string;
  server?: string;
  /** Extra context "other" pointing at `otherServer` when given. */
  otherServer?: string;
}

/** The running test server; see the module comment. */
export interface KubeApiServer {
  /** https://127.0.0.1:PORT */
  url: string;
  token: string;
  /** A kubeconfig (context `test`, current) with CA data and this server's token. */
  kubeconfig: string;
  store: KubeStore;
  requests: RecordedRequest[];
  /** Requests matching `method` and a path prefix or pattern. */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[];
  /** Adds a hook; returns its remover. */
  onRequest(hook: RequestHook): () => void;
  /** Stop answering (all requests, or those `match` picks) until `release()`. */
  hang(match?: (req: RecordedRequest) => boolean): () => void;
  /** Another kubeconfig file for this server, e.g. with a wrong token. */
  writeKubeconfig(opts?: KubeconfigOptions): Promise<string>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function send(res: ServerResponse, answer: RouteResponse): void {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': answer.contentType ?? 'application/json',
    'content-length': Buffer.byteLength(text),
    'audit-id': randomBytes(8).toString('hex'),
    ...answer.headers,
  });
  res.end(text);
}

function kubeconfigText(server: string, ca: string, token: string, other?: string): string {
  const cluster = (name: string, url: string) => ({
    name,
    cluster: { server: url, 'certificate-authority-data': Buffer.from(ca).toString('base64') },
  });
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [cluster('test', server), ...(other ? [cluster('other', other)] : [])],
    users: [{ name: 'quorum', user: { token } }],
    contexts: [
      { name: 'test', context: { cluster: 'test', user: 'quorum' } },
      ...(other ? [{ name: 'other', context: { cluster: 'other', user: 'quorum' } }] : []),
    ],
    'current-context': 'test',
    preferences: {},
  });
}

/** Starts the server on a free port of 127.0.0.1. */
export async function startKubeApi(): Promise<KubeApiServer> {
  const certs = await sharedCerts();
  const read = (file: string) => readFile(file, 'utf8');
  const [cert, key, ca] = await Promise.all([
    read(certs.serverCert),
    read(certs.serverKey),
    read(certs.ca),
  ]);
  const dir = await tmpDir('kube-api');
  const token = randomBytes(16).toString('hex');
  const store = new KubeStore();
  const requests: RecordedRequest[] = [];
  const hooks = new Set<RequestHook>();
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers['content-type'] ?? '',
      body: await readBody(req),
      authorized: req.headers.authorization === `Bearer ${token}`,
    };
    requests.push(recorded);
    for (const hook of [...hooks]) {
      const answer = await hook(recorded, store);
      if (answer === 'hang') return;
      if (answer) return send(res, answer);
    }
    if (!recorded.authorized) return send(res, status(401, 'Unauthorized', 'Unauthorized'));
    const routeReq: RouteRequest = { ...recorded, query: url.searchParams };
    send(res, route(store, routeReq));
  };

  const server = https.createServer({ cert, key }, (req, res) => {
    handle(req, res).catch((err: unknown) =>
      send(res, status(500, 'InternalError', `test server: ${String(err)}`)),
    );
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no listener address');
  const url = `https://127.0.0.1:${address.port}`;

  const writeKubeconfig = async (opts: KubeconfigOptions = {}) => {
    const file = path.join(dir, `kubeconfig-${randomBytes(4).toString('hex')}.json`);
    const text = kubeconfigText(opts.server ?? url, ca, opts.token ?? token, opts.otherServer);
    await writeFile(file, text, { mode: 0o600 });
    return file;
  };
  const onRequest = (hook: RequestHook) => {
    hooks.add(hook);
    return () => void hooks.delete(hook);
  };
  let closing: Promise<void> | undefined;

  return {
    url,
    token,
    kubeconfig: await writeKubeconfig(),
    store,
    requests,
    requestsTo: (method, p) =>
      requests.filter(
        (r) =>
          r.method === method && (typeof p === 'string' ? r.path.startsWith(p) : p.test(r.path)),
      ),
    onRequest,
    hang: (match = () => true) => onRequest((req) => (match(req) ? 'hang' : undefined)),
    writeKubeconfig,
    close: () => {
      closing ??= new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
