/**
 * The playground's event stream: every change the page must show (a message posted
 * or edited, an ephemeral answer, a note), numbered and kept, served as
 * server-sent events. A page that connects (or reconnects with Last-Event-ID) gets
 * what it missed first, then the live events, so it never has to ask for state.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Entry {
  id: number;
  type: string;
  /** JSON, serialized when the event happened (messages are edited in place later). */
  data: string;
}

const KEEP = 10_000;
const KEEPALIVE_MS = 15_000;

export class EventLog {
  private readonly entries: Entry[] = [];
  private readonly clients = new Set<ServerResponse>();
  private next = 1;

  push(type: string, data: unknown): void {
    const entry = { id: this.next++, type, data: JSON.stringify(data) };
    this.entries.push(entry);
    if (this.entries.length > KEEP) this.entries.shift();
    for (const res of this.clients) write(res, entry);
  }

  /** GET …/events: the backlog after Last-Event-ID, then live events until the page goes. */
  serve(req: IncomingMessage, res: ServerResponse): void {
    const last = Number(req.headers['last-event-id'] ?? 0) || 0;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    for (const entry of this.entries) if (entry.id > last) write(res, entry);
    this.clients.add(res);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    req.on('close', () => {
      clearInterval(keepalive);
      this.clients.delete(res);
    });
  }

  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}

function write(res: ServerResponse, entry: Entry): void {
  res.write(`id: ${entry.id}\nevent: ${entry.type}\ndata: ${entry.data}\n\n`);
}
