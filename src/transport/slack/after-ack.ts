/**
 * The work slash commands do after their ack, in turns, acks first. A command's work (the
 * claim and its audit entry, the root message, the enqueue) is several Redis and Web API
 * round trips; fifty of them at once would sit in the event loop ahead of the next
 * commands' acks. So while the receiver is busy (`track`: a request in progress, or a
 * connection or request in the last 50 ms) the work waits — at most `maxDeferMs`, then one
 * command at a time — and when it is idle, up to
 * `concurrency` commands work at once, in arrival order. A burst is acked at Bolt's own
 * pace, on a loaded machine too, and its work follows; a flood that never pauses still
 * has one command worked on at a time (never starved). Each work item runs its own error
 * handling (the
 * listener's, which logs and answers the person); `drain()` is for the bot's close: what
 * was acked is worked on before Redis closes.
 */
import type { Server } from 'node:http';
import type { Logger } from '../../domain/logger.js';

export interface AfterAck {
  /** Queues `work` (it must handle its own errors; a rejection is only logged). */
  run(work: () => Promise<void>): void;
  /** Watches the server's connections and requests: while it is busy, the work waits. */
  track(server: Server): void;
  /** Resolves once nothing is queued or running, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
}

/** A receiver this long without a new connection or request is idle (between bursts). */
const QUIET_MS = 50;

/**
 * `concurrency` commands work at once while the receiver is idle; while it is busy, none
 * starts until the oldest has waited `maxDeferMs`, then one at a time.
 */
export function afterAck(concurrency: number, maxDeferMs: number, logger: Logger): AfterAck {
  const queued: { work: () => Promise<void>; at: number }[] = [];
  let running = 0;
  let requests = 0;
  let tracked = false;
  let lastSeen = -Infinity;
  let idle: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const waited = () => performance.now() - (queued[0]?.at ?? Infinity);
  const quietFor = () => performance.now() - lastSeen;
  const busy = () => tracked && (requests > 0 || quietFor() < QUIET_MS);
  const lanes = () => (!busy() ? concurrency : waited() >= maxDeferMs ? 1 : 0);
  const next = () => {
    while (running < lanes() && queued.length > 0) {
      const { work } = queued.shift() as (typeof queued)[number];
      running++;
      void work()
        .catch((err: unknown) => logger.error({ err }, 'work after a slash command’s ack failed'))
        .finally(() => {
          running--;
          if (running === 0 && queued.length === 0) for (const wake of idle.splice(0)) wake();
          next();
        });
    }
    // Held back by a busy receiver: look again when the oldest is due or, with no request in
    // progress, when the receiver may have gone quiet (the end of a request re-arms this).
    if (queued.length > 0 && running === 0 && !timer) {
      const defer = maxDeferMs - waited();
      const due = requests > 0 ? defer : Math.min(defer, QUIET_MS - quietFor());
      timer = setTimeout(resume, Math.max(1, due));
      timer.unref();
    }
  };
  const resume = () => {
    clearTimeout(timer);
    timer = undefined;
    next();
  };
  return {
    run(work) {
      queued.push({ work, at: performance.now() });
      // After this tick: Bolt finishes the ack's request before the work starts.
      setImmediate(next);
    },
    track(server) {
      tracked = true;
      server.on('connection', () => void (lastSeen = performance.now()));
      server.on('request', (_req, res) => {
        requests++;
        lastSeen = performance.now();
        res.once('close', () => {
          requests--;
          lastSeen = performance.now();
          if (requests === 0 && timer) resume();
        });
      });
    },
    async drain(timeoutMs) {
      if (running === 0 && queued.length === 0) return;
      let bound: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        idle.push(resolve);
        bound = setTimeout(() => {
          idle = idle.filter((w) => w !== resolve);
          logger.error(
            { pending: running + queued.length },
            'slash commands still being worked on at close',
          );
          resolve();
        }, timeoutMs);
      });
      clearTimeout(bound);
    },
  };
}
