/** Cheap readiness probes with node built-ins (no etcdctl process, no gRPC backoff). */
import http from 'node:http';
import net from 'node:net';

/** True when a TCP connection to host:port is accepted within `timeoutMs`. */
export function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The body of a plain-http GET, or undefined on any error or non-2xx status. */
export function httpGet(url: string, timeoutMs = 1_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => resolve(undefined));
      response.on('end', () => {
        const ok = (response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300;
        resolve(ok ? Buffer.concat(chunks).toString('utf8') : undefined);
      });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/** True when etcd's metrics endpoint reports `etcd_server_has_leader 1`. */
export async function etcdHasLeader(metricsUrl: string): Promise<boolean> {
  const metrics = await httpGet(`${metricsUrl}/metrics`);
  return metrics !== undefined && /^etcd_server_has_leader 1$/m.test(metrics);
}
