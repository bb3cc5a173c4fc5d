/**
 * A TCP server that accepts connections and never writes a byte: for timeouts
 * against an endpoint that is reachable but never answers (TLS or gRPC handshakes hang).
 */
import net from 'node:net';

export interface SilentServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Destroys open sockets and stops listening. Idempotent. */
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
    // Read and discard, so the peer's writes never block on a full window.
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  server.unref();
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no listener address');
  const port = address.port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => {
      closing ??= new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
