/**
 * ioredis whose closing never waits on Redis, for every connection Quorum opens
 * (BullMQ duplicates it for its blocking reads, and the copies are of this class too).
 * Three gaps of ioredis, each of which held a closing BullMQ Worker (and so the
 * process) when Redis had just gone away or come back:
 *
 * - `disconnect()` between two reconnect attempts clears the retry timer and leaves
 *   the client "reconnecting" for ever: no stream is left to close, so "end" never
 *   comes (redis/ioredis#1247, #1830). Worker.close waits for that "end" on its
 *   blocking connection. Here a connect is started and cancelled at once, the path on
 *   which ioredis does end a client.
 * - Commands written on a connection that then dropped wait to be re-sent after the
 *   reconnect; when the client ends instead, ioredis never settles them. A worker's
 *   BZPOPMIN is one, so its fetch loop (which Worker.close waits for) hung until
 *   BullMQ's own watchdog, 6 s later. Here they are rejected when the client ends.
 * - `quit()` waits for Redis's answer however long Redis takes (frozen, unreachable
 *   with the command queued). Here it waits `QUIT_TIMEOUT_MS`, then disconnects.
 *
 * Rejections use ioredis's "Connection is closed.", which BullMQ takes for a
 * connection error (nothing to report while closing).
 *
 * Through Sentinel (config/redis-connection.ts) each connect first asks a sentinel for
 * the master; a disconnect() meanwhile ends the client as soon as that question is
 * answered or times out (SENTINEL_COMMAND_TIMEOUT_MS), so a frozen sentinel cannot hold
 * a close either (test/integration/redis-sentinel.test.ts).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { ReplyMappingFromOptions } from 'ioredis/built/types.js';

/** How long quit() waits for Redis's answer before dropping the connection. */
export const QUIT_TIMEOUT_MS = 1_000;

const CONNECTION_CLOSED = 'Connection is closed.';

/** ioredis's undeclared queue of commands to re-send after a reconnect (Redis.js, event_handler.js). */
interface Resendable {
  prevCommandQueue?: { shift(): { command: { reject(err: Error): void } } | undefined } | null;
}

export class ClosableRedis extends Redis {
  override duplicate<Override extends Partial<RedisOptions> | undefined = undefined>(
    override?: Override,
  ): Redis<ReplyMappingFromOptions<'legacy', Override>> {
    const options = { ...this.options, ...override } as RedisOptions & { replyMapping?: 'legacy' };
    return new ClosableRedis(options) as unknown as Redis<
      ReplyMappingFromOptions<'legacy', Override>
    >;
  }

  override disconnect(reconnect = false): void {
    if (reconnect) return super.disconnect(true);
    if (this.status === 'end') this.rejectUnsent();
    else this.once('end', () => this.rejectUnsent());
    const betweenAttempts = this.status === 'reconnecting';
    super.disconnect();
    if (!betweenAttempts) return;
    // The connect rejects on the next tick ("Connection is closed."), which ends the client.
    this.connect().catch(() => undefined);
    super.disconnect();
  }

  override quit(): Promise<'OK'> {
    let timer: NodeJS.Timeout | undefined;
    const answered = super.quit();
    const dropped = new Promise<'OK'>((resolve) => {
      timer = setTimeout(() => {
        this.disconnect();
        resolve('OK');
      }, QUIT_TIMEOUT_MS);
    });
    return Promise.race([answered, dropped]).finally(() => clearTimeout(timer));
  }

  /** Settles the commands ioredis kept for a reconnect that will not come. */
  private rejectUnsent(): void {
    const queue = (this as unknown as Resendable).prevCommandQueue;
    for (let item = queue?.shift(); item; item = queue?.shift()) {
      item.command.reject(new Error(CONNECTION_CLOSED));
    }
  }
}
