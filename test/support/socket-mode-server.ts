/**
 * A local Slack Socket Mode endpoint for tests, speaking the protocol as
 * @slack/socket-mode 3.x expects it:
 *
 *  1. The app calls `apps.connections.open` on the Web API test server with its
 *     app-level token (`Authorization: Bearer xapp-…`) and gets
 *     `{ ok: true, url: 'ws://127.0.0.1:PORT/link/?ticket=…&app_id=…' }`. A bot
 *     token is refused (`not_allowed_token_type`), another app token too
 *     (`invalid_auth`); each ticket opens one connection.
 *  2. On connect the server sends `{ type: 'hello', num_connections, debug_info,
 *     connection_info: { app_id } }`: the client's `start()` resolves on it.
 *  3. Envelopes `{ envelope_id, type: 'slash_commands' | 'interactive' | 'events_api',
 *     accepts_response_payload, payload }` go to the newest connection; the client
 *     acks each with `{ envelope_id, payload? }` (recorded here).
 *  4. The client pings every few seconds (ws answers pongs by itself); the server
 *     pings too, like Slack, so the client's server-ping watchdog is exercised.
 *  5. `{ type: 'disconnect', reason: 'refresh_requested' }` makes the client close
 *     and reconnect (through `apps.connections.open` again, after its
 *     `clientPingTimeout`, 5 s by default).
 *
 *   const sm = await startSocketModeServer({ slack, appToken: 'xapp-1-A0TEST-1-x' });
 *   await sm.waitForConnections(1);
 *   const ack = await sm.deliver(slashCommandEnvelope({ command: '/etcd-check' }));
 *   await sm.close();
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SlackApi } from './slack-api.js';
import { blockActionBody, slashCommandBody, type SlashCommand } from './slack-request.js';

export interface SocketModeEnvelope {
  envelope_id: string;
  type: 'slash_commands' | 'interactive' | 'events_api' | (string & {});
  accepts_response_payload?: boolean;
  payload: Record<string, unknown>;
  /** events_api only. */
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketModeAck {
  envelope_id: string;
  /** What the app answered with (`ack(body)`): `{}` for a bare ack. */
  payload?: Record<string, unknown>;
  /** Date.now() on arrival. */
  at: number;
  /** Which connection (1, 2, … in order of opening) carried it. */
  connection: number;
}

export interface SocketModeServer {
  /** `ws://127.0.0.1:PORT/link/` (without a ticket). */
  url: string;
  appId: string;
  /** Connections opened so far (each one got its hello). */
  opened(): number;
  /** Connections open now. */
  open(): number;
  /** Waits until `n` connections have been opened in total and one is open. */
  waitForConnections(n: number, timeoutMs?: number): Promise<void>;
  /** Sends an envelope on the newest open connection. Returns Date.now() at sending. */
  send(envelope: SocketModeEnvelope): number;
  /** The client's ack for `envelopeId` (already received or still to come). */
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<SocketModeAck>;
  /** send() then waitForAck(); `ms` is the time from sending to the ack. */
  deliver(
    envelope: SocketModeEnvelope,
    timeoutMs?: number,
  ): Promise<SocketModeAck & { ms: number }>;
  /** All acks in arrival order. */
  acks(): SocketModeAck[];
  /** Messages from the client that were not acks (should stay empty). */
  unexpected(): unknown[];
  /** Tells the newest connection to go away, as Slack does before recycling a host. */
  disconnect(reason?: 'refresh_requested' | 'warning' | 'link_disabled'): void;
  close(): Promise<void>;
}

export interface SocketModeServerOptions {
  /** The Web API test server that answers `apps.connections.open`. */
  slack: SlackApi;
  /** The app-level token the app must present. */
  appToken: string;
  appId?: string;
  /** Server pings; 0 for none. Default 2 s. */
  pingIntervalMs?: number;
}

export async function startSocketModeServer(
  opts: SocketModeServerOptions,
): Promise<SocketModeServer> {
  const appId = opts.appId ?? 'A0TEST';
  const pingIntervalMs = opts.pingIntervalMs ?? 2_000;
  const tickets = new Set<string>();
  const sockets: { ws: WebSocket; n: number; ping?: NodeJS.Timeout }[] = [];
  const acks: SocketModeAck[] = [];
  const unexpected: unknown[] = [];
  const ackWaiters = new Map<string, ((ack: SocketModeAck) => void)[]>();
  let opened = 0;

  const http = createServer((_req, res) => res.writeHead(426).end('WebSocket only\n'));
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'ws://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname.replace(/\/$/, '') !== '/link' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket): void {
    opened += 1;
    const entry: (typeof sockets)[number] = { ws, n: opened };
    sockets.push(entry);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        unexpected.push(data);
        return;
      }
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        unexpected.push(text);
        return;
      }
      const m = msg as { envelope_id?: unknown; payload?: unknown };
      if (typeof m.envelope_id !== 'string') {
        unexpected.push(msg);
        return;
      }
      const ack: SocketModeAck = {
        envelope_id: m.envelope_id,
        payload: m.payload as Record<string, unknown> | undefined,
        at: Date.now(),
        connection: entry.n,
      };
      acks.push(ack);
      for (const resolve of ackWaiters.get(ack.envelope_id) ?? []) resolve(ack);
      ackWaiters.delete(ack.envelope_id);
    });
    ws.on('close', () => {
      clearInterval(entry.ping);
      sockets.splice(sockets.indexOf(entry), 1);
    });
    ws.on('error', () => undefined);
    if (pingIntervalMs > 0) {
      entry.ping = setInterval(
        () => ws.ping(Buffer.from(`ping from server ${Date.now()}`)),
        pingIntervalMs,
      );
      entry.ping.unref();
    }
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.length,
        debug_info: {
          host: 'applink-test-1',
          build_number: 1,
          approximate_connection_time: 18_060,
        },
        connection_info: { app_id: appId },
      }),
    );
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `ws://127.0.0.1:${port}/link/`;

  opts.slack.respond('apps.connections.open', (_body, call) => {
    if (!call.token?.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
    if (call.token !== opts.appToken) return { ok: false, error: 'invalid_auth' };
    const ticket = randomUUID();
    tickets.add(ticket);
    return { ok: true, url: `${url}?ticket=${ticket}&app_id=${appId}` };
  });

  const newest = () => {
    const entry = sockets.filter((s) => s.ws.readyState === s.ws.OPEN).at(-1);
    if (!entry) throw new Error('socket mode server: no open connection');
    return entry;
  };

  const waitForAck = (envelopeId: string, timeoutMs = 5_000) => {
    const have = acks.find((a) => a.envelope_id === envelopeId);
    if (have) return Promise.resolve(have);
    return new Promise<SocketModeAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`socket mode server: no ack for ${envelopeId} within ${timeoutMs} ms`));
      }, timeoutMs);
      ackWaiters.set(envelopeId, [
        ...(ackWaiters.get(envelopeId) ?? []),
        (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
      ]);
    });
  };

  const send = (envelope: SocketModeEnvelope) => {
    newest().ws.send(JSON.stringify(envelope));
    return Date.now();
  };

  let closing: Promise<void> | undefined;
  return {
    url,
    appId,
    opened: () => opened,
    open: () => sockets.filter((s) => s.ws.readyState === s.ws.OPEN).length,
    waitForConnections: async (n, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(opened >= n && sockets.some((s) => s.ws.readyState === s.ws.OPEN))) {
        if (Date.now() > deadline) {
          throw new Error(
            `socket mode server: ${opened} connection(s) opened, waited for ${n} within ${timeoutMs} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    send,
    waitForAck,
    deliver: async (envelope, timeoutMs) => {
      const sent = send(envelope);
      const ack = await waitForAck(envelope.envelope_id, timeoutMs);
      return { ...ack, ms: ack.at - sent };
    },
    acks: () => [...acks],
    unexpected: () => [...unexpected],
    disconnect: (reason = 'refresh_requested') =>
      newest().ws.send(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-test-1' } }),
      ),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const s of sockets) {
          clearInterval(s.ping);
          s.ws.terminate();
        }
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      });
      return closing;
    },
  };
}

/** A `/command` as Slack delivers it in Socket Mode: the slash command's fields as a JSON object. */
export function slashCommandEnvelope(
  c: SlashCommand,
  envelopeId = randomUUID(),
): SocketModeEnvelope {
  return {
    envelope_id: envelopeId,
    type: 'slash_commands',
    accepts_response_payload: true,
    payload: Object.fromEntries(new URLSearchParams(slashCommandBody(c))),
  };
}

/** A button click (block_actions) as Slack delivers it in Socket Mode. */
export function blockActionEnvelope(
  p: Parameters<typeof blockActionBody>[0],
  envelopeId = randomUUID(),
): SocketModeEnvelope {
  const payload = new URLSearchParams(blockActionBody(p)).get('payload') ?? '{}';
  return {
    envelope_id: envelopeId,
    type: 'interactive',
    accepts_response_payload: false,
    payload: JSON.parse(payload) as Record<string, unknown>,
  };
}
