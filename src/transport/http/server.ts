/**
 * A small node:http server for routes in Bolt's custom-route shape: what `quorum
 * worker` listens with (the bot mounts the same routes into Bolt's receiver instead).
 */
import { createServer, type Server } from 'node:http';
import type { HttpRoute } from './routes.js';

export interface HttpServer {
  /** The port listened on (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(
  routes: readonly HttpRoute[],
  listen: { port: number; host: string },
): Promise<HttpServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes.find((r) => r.path === path);
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const methods = [route.method].flat().map((m) => m.toUpperCase());
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    if (!methods.includes(method)) {
      res.writeHead(405, { Allow: methods.join(', '), 'Content-Type': 'text/plain' });
      res.end('method not allowed\n');
      return;
    }
    route.handler(req, res);
  });
  await listenOn(server, listen);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listenOn(server: Server, listen: { port: number; host: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
