/**
 * Item 11a of issue 15: a notification over the webhook's size limit is answered 413,
 * and a client still uploading it reads that answer instead of a connection reset —
 * through both servers the route is mounted in (Bolt's HTTP receiver in HTTP mode,
 * the runtime's own server in Socket Mode), with the body declared (Content-Length,
 * as Alertmanager sends it) or chunked, sent in slow chunks. A body far over the
 * limit is not read to its end: the connection is closed.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/domain/logger.js';
import {
  alertWebhookRoute,
  ALERT_PATH,
  MAX_BODY_BYTES,
} from '../../src/transport/alerts/webhook.js';
import { startHttpServer } from '../../src/transport/http/server.js';
import { createSlackApp, type SlackApp } from '../../src/transport/slack/app.js';
import { testConfig } from '../e2e/harness.js';
import { freePort } from '../support/index.js';

const TOKEN = 'alerts-413-token';
const CHUNK = 64 * 1024;
const CRLF = Buffer.from('\r\n');

interface Outcome {
  status?: number;
  body?: string;
  error?: string;
  /** Body bytes written before the upload stopped (all sent, or the connection failed). */
  sent: number;
}

/**
 * POSTs `size` bytes in CHUNK pieces `gapMs` apart over a raw socket, and reads the
 * answer only once it has sent everything (or a write failed), as a client busy
 * uploading does: what the server sent stays in this side's kernel buffer meanwhile,
 * where a reset from the server destroys it (RFC 9112 §9.6, "tear-down").
 */
async function upload(
  port: number,
  size: number,
  opts: { declared: boolean; gapMs: number },
): Promise<Outcome> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.pause();
  let received = '';
  const out: Outcome = { sent: 0 };
  socket.on('data', (d: Buffer) => void (received += d.toString('utf8')));
  socket.on('error', (err: NodeJS.ErrnoException) => void (out.error ??= err.code ?? err.message));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const length = opts.declared ? `Content-Length: ${size}` : 'Transfer-Encoding: chunked';
  socket.write(
    `POST ${ALERT_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n` +
      `Content-Type: application/json\r\n${length}\r\n\r\n`,
  );
  const chunk = Buffer.alloc(CHUNK, 0x61);
  while (out.sent < size && !out.error && !socket.destroyed) {
    const piece = chunk.subarray(0, Math.min(CHUNK, size - out.sent));
    if (opts.declared) socket.write(piece);
    else
      socket.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, CRLF]));
    out.sent += piece.length;
    await sleep(opts.gapMs);
  }
  if (!opts.declared && !socket.destroyed) socket.write('0\r\n\r\n');
  socket.resume();
  await Promise.race([closed, sleep(10_000)]);
  socket.destroy();
  const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
  if (status) out.status = Number(status);
  out.body = received.slice(received.indexOf('\r\n\r\n') + 4);
  return out;
}

const route = () =>
  alertWebhookRoute({ token: TOKEN, enqueue: () => Promise.resolve('id'), logger: silentLogger });

const servers: { name: string; port: number; close(): Promise<void> }[] = [];

beforeAll(async () => {
  const plain = await startHttpServer([route()], { port: 0, host: '127.0.0.1' });
  servers.push({ name: 'the runtime server', port: plain.port, close: () => plain.close() });
  const port = await freePort();
  const config = testConfig(
    { clusters: [{ name: 'c1', etcd: { endpoints: ['http://127.0.0.1:9'] } }] },
    {
      SLACK_BOT_TOKEN: 'xoxb-413',
      SLACK_SIGNING_SECRET: 'secret-413',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      PORT: String(port),
      HOST: '127.0.0.1',
    },
  );
  const bolt: SlackApp = createSlackApp(config, silentLogger, [route()]);
  await bolt.start();
  servers.push({ name: 'Bolt’s HTTP receiver', port, close: () => bolt.stop() });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe.each(['the runtime server', 'Bolt’s HTTP receiver'])(
  'the alert webhook over its size limit, on %s',
  (name) => {
    const server = () => servers.find((s) => s.name === name)!;

    it.each([true, false])(
      'a client uploading twice the limit in slow chunks reads the 413 (Content-Length declared: %s)',
      async (declared) => {
        for (let attempt = 0; attempt < 3; attempt++) {
          const out = await upload(server().port, 2 * MAX_BODY_BYTES, { declared, gapMs: 5 });
          const what = `${server().name}, attempt ${attempt}: ${JSON.stringify(out)}`;
          expect(out.status, what).toBe(413);
          expect(out.body, what).toMatch(/larger than 1048576 bytes/);
        }
      },
    );

    it.each([true, false])(
      'a body far over the limit is not read to its end: the connection is closed (Content-Length declared: %s)',
      async (declared) => {
        const size = 64 * MAX_BODY_BYTES;
        const out = await upload(server().port, size, { declared, gapMs: 1 });
        // Answered 413 or reset, but long before the whole body was sent.
        expect(out.status === 413 || out.error !== undefined, JSON.stringify(out)).toBe(true);
        expect(out.sent).toBeLessThan(size / 2);
      },
    );
  },
);
