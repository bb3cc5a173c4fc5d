/**
 * Process lifecycle of the long-running commands: wait for SIGTERM or SIGINT, close
 * gracefully; a second signal exits at once. A process whose handles are all closed
 * exits by itself; one still held open (an operation handed back on shutdown keeps
 * its etcd connection until it ends) is ended after a short grace, and so is a close
 * that outlasts the last job by more than a few seconds.
 */
import type { Logger } from '../../domain/logger.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Resolves with the first SIGTERM/SIGINT; after it, a second one exits with 130. */
export function shutdownSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      for (const s of SIGNALS) process.off(s, first);
      for (const s of SIGNALS) process.once(s, second);
      logger.info({ signal }, 'shutting down: no new jobs; running ones finish or are handed back');
      resolve(signal);
    };
    const second = (signal: NodeJS.Signals) => {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    };
    for (const s of SIGNALS) process.on(s, first);
  });
}

/**
 * Ends the process with status 0 (saying `why`) once no job has run for `ms` while it
 * is still running: with nothing left to finish or hand back, a close that still waits
 * (on a Redis that went away or froze) loses nothing by being cut short. A job that
 * started meanwhile (fetched just as the signal came) is waited for again.
 */
export function exitWhenIdleFor(
  ms: number,
  jobs: { idle(): Promise<void>; running(): number },
  say: (text: string) => void,
  why: string,
): void {
  const arm = (): void =>
    void jobs.idle().then(() => {
      setTimeout(() => {
        if (jobs.running() > 0) return arm();
        say(`quorum: ${why}; exiting.\n`);
        process.exit(0);
      }, ms).unref();
    });
  arm();
}

/** Ends the process after `ms` (saying `why`) if it is still running; harmless when it exits sooner. */
export function exitAfter(
  ms: number,
  code: number,
  say: (text: string) => void,
  why: string,
): void {
  setTimeout(() => {
    say(`quorum: ${why}; exiting.\n`);
    process.exit(code);
  }, ms).unref();
}
