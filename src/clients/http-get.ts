/** A bounded HTTP(S) GET for small text bodies (etcd's /metrics), with etcd's TLS material. */
import http from 'node:http';
import https from 'node:https';

export interface GetOptions {
  deadline: number;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  maxBytes?: number;
}

export function httpGetText(url: string, opts: GetOptions): Promise<string> {
  const timeout = Math.max(1, opts.deadline - Date.now());
  const maxBytes = opts.maxBytes ?? 16 * 2 ** 20;
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { ca: opts.ca, cert: opts.cert, key: opts.key, timeout }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url} answered HTTP ${res.statusCode ?? '?'}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes)
          req.destroy(new Error(`GET ${url}: body larger than ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`GET ${url}: no answer within ${timeout} ms`)),
      timeout,
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeout} ms`)));
    req.on('error', reject);
    req.on('close', () => clearTimeout(timer));
  });
}
