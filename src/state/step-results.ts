/**
 * A runbook step's result message, kept until the run posts it in step order (steps
 * that ran side by side end in any order; their results reach the thread in order).
 * The message is rendered once, when the step's job ends, and stored as it will be
 * posted; posting it again is a no-op (its outbox id derives from the run and step).
 *
 * Key: `${prefix}:runbook:run:${id}:results` (a hash: step id → JSON message, and
 * `step id#posted` once posted), kept as long as the run.
 */
import type { StateRedis } from './redis.js';

const TTL_MS = 30 * 24 * 3_600_000;
const key = (prefix: string, runId: string) => `${prefix}:runbook:run:${runId}:results`;

// KEYS[1] the hash; ARGV[1] step id, ARGV[2] JSON, ARGV[3] ttl ms. The first result stays.
const KEEP = `
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

export async function keepStepResult(
  redis: StateRedis,
  prefix: string,
  runId: string,
  stepId: string,
  message: unknown,
): Promise<void> {
  await redis.eval(KEEP, 1, key(prefix, runId), stepId, JSON.stringify(message), TTL_MS);
}

// KEYS[1] the hash; ARGV[1] step id.
const POSTED = `return redis.call('HSET', KEYS[1], ARGV[1] .. '#posted', '1')`;

export interface KeptResult<M> {
  message: M;
  posted: boolean;
}

/** Every kept result of the run, by step id. */
export async function readStepResults<M>(
  redis: StateRedis,
  prefix: string,
  runId: string,
): Promise<Map<string, KeptResult<M>>> {
  const raw = await redis.hgetall(key(prefix, runId));
  const out = new Map<string, KeptResult<M>>();
  for (const [field, json] of Object.entries(raw)) {
    if (field.endsWith('#posted')) continue;
    out.set(field, { message: JSON.parse(json) as M, posted: raw[`${field}#posted`] === '1' });
  }
  return out;
}

/** Notes that a step's result was handed to the outbox (a crash before this re-posts: a no-op). */
export async function markStepResultPosted(
  redis: StateRedis,
  prefix: string,
  runId: string,
  stepId: string,
): Promise<void> {
  await redis.eval(POSTED, 1, key(prefix, runId), stepId);
}
