/** Runbook runs in Redis: one JSON document per run, kept 30 days, changed by compare-and-set. */
import type { RunbookRun } from '../domain/runbook-run.js';
import type { StateRedis } from './redis.js';
import { readDoc, updateDoc } from './versioned.js';

const TTL_MS = 30 * 24 * 3_600_000;
const key = (prefix: string, id: string) => `${prefix}:runbook:run:${id}`;

export const readRun = (redis: StateRedis, prefix: string, id: string) =>
  readDoc<RunbookRun>(redis, key(prefix, id));

/** Applies `change` (a walk.ts function) atomically; undefined when it changed nothing. */
export async function changeRun(
  redis: StateRedis,
  prefix: string,
  id: string,
  change: (run: RunbookRun | undefined) => RunbookRun | undefined,
): Promise<RunbookRun | undefined> {
  return (await updateDoc(redis, key(prefix, id), TTL_MS, change))?.after;
}
