/**
 * The jobs a worker is running now: the shutdown uses `idle()` to know when nothing is
 * left to finish or hand back, after which closing may not wait on Redis for long.
 */
export interface RunningJobs {
  /** Counts `run` as running until it settles; returns what it returns. */
  track<T>(run: Promise<T>): Promise<T>;
  /** Resolves once no job is running (at once when none is). */
  idle(): Promise<void>;
  /** How many are running now. */
  count(): number;
}

export function runningJobs(): RunningJobs {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    track: async (run) => {
      running++;
      try {
        return await run;
      } finally {
        running--;
        if (running === 0) for (const wake of waiting.splice(0)) wake();
      }
    },
    idle: () =>
      running === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve)),
    count: () => running,
  };
}
