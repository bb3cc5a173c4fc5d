/**
 * Free TCP ports on 127.0.0.1. The kernel picks one (listen on port 0), we close
 * the listener and hand the number out. This is inherently racy (something else
 * may take the port before the server binds it), so the server starters retry on
 * "address already in use"; within one process a port is never handed out twice.
 */
import net from 'node:net';

const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await probePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: the kernel kept offering ports this process already handed out');
}

function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        if (port > 0) resolve(port);
        else reject(new Error(`freePort: unexpected listener address ${JSON.stringify(address)}`));
      });
    });
  });
}
