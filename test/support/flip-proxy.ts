/**
 * A TCP proxy that flips one byte of what the server sends, once the server has
 * sent `afterBytes`: a real network fault for a real etcd, to prove that damage in
 * transit is caught.
 */
import net from 'node:net';

export interface FlipProxy {
  url: string;
  flipped(): boolean;
  close(): Promise<void>;
}

export async function startFlipProxy(
  target: { host: string; port: number },
  afterBytes: number,
): Promise<FlipProxy> {
  let seen = 0;
  let done = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!done && seen + chunk.length > afterBytes) {
        const copy = Buffer.from(chunk);
        const at = afterBytes - seen;
        copy[at] = (copy[at] ?? 0) ^ 0x5a;
        done = true;
        client.write(copy);
      } else client.write(chunk);
      seen += chunk.length;
    });
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    flipped: () => done,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
