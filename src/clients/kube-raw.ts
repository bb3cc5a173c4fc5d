/**
 * GET of a text endpoint of the API server (/metrics, /readyz?verbose, a page of a
 * list as JSON) with the kubeconfig's credentials and TLS material. Non-2xx answers become the library's
 * ApiException, so kube-errors.ts classifies them like every other call.
 */
import http from 'node:http';
import https from 'node:https';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';

const MAX_BYTES = 32 * 2 ** 20;

/** Response headers as the library's ApiException carries them (lower-case names). */
function headersOf(res: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** GET `path` on `server` as text, with the kubeconfig's credentials; aborted by `signal`. */
export async function rawGetText(
  kc: KubeConfig,
  server: string,
  path: string,
  signal: AbortSignal,
): Promise<string> {
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const url = new URL(path.startsWith('/') ? path : `/${path}`, `${server}/`);
  const lib = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { ...opts, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) req.destroy(new Error(`GET ${path}: body over ${MAX_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) resolve(body);
        else reject(new ApiException(code, 'raw GET', body, headersOf(res)));
      });
    });
    req.on('error', reject);
  });
}
