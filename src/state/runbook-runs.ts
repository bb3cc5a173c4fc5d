/**
 * Runbook runs in Redis: one JSON document per run, kept 30 days, changed by
 * compare-and-set; an index of the open runs (a sorted set scored by each run's last
 * change), kept in the same atomic step, so the sweep finds every run that may be stuck
 * without a keyspace SCAN; and the alert lines of a run's thread, for its post-mortem.
 *
 * Keys: `${prefix}:runbook:run:${id}` (the run), `${prefix}:runbook:runs:open` (the
 * index: id by last change, ms), `${prefix}:runbook:run:${id}:alerts` (a list of JSON
 * `{ at, text }`, capped).
 */
import { lastChangeOf, type RunbookRun } from '../domain/runbook-run.js';
import type { StateRedis } from './redis.js';
import { readDoc } from './versioned.js';

/** An alert line of a run's thread: when, and what (cut to 300 characters). */
export interface RunAlertLine {
  at: number;
  text: string;
}

const TTL_MS = 30 * 24 * 3_600_000;
const MAX_ALERT_LINES = 200;
const key = (prefix: string, id: string) => `${prefix}:runbook:run:${id}`;
const openKey = (prefix: string) => `${prefix}:runbook:runs:open`;
const alertsKey = (prefix: string, id: string) => `${key(prefix, id)}:alerts`;

// KEYS[1] the run, KEYS[2] the open-runs index; ARGV[1] expected version (0: must not
// exist), ARGV[2] JSON, ARGV[3] ttl ms, ARGV[4] the run id, ARGV[5] its last change (ms),
// or '' when the run is over. Output: 1 stored (and indexed), 0 someone else changed it first.
const STORE = `
local cur = redis.call('GET', KEYS[1])
local v = 0
if cur then v = tonumber(cjson.decode(cur).version) or 0 end
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if ARGV[5] == '' then redis.call('ZREM', KEYS[2], ARGV[4])
else redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4]) end
return 1`;

// KEYS[1] the index; ARGV[1] until (ms), ARGV[2] offset, ARGV[3] at most this many.
// Output: ids, least recently changed first.
const OPEN = `return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', ARGV[2], ARGV[3])`;

// KEYS[1] the index; ARGV[1] the id. Output: 1 removed, 0 not there.
const UNINDEX = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

// KEYS[1] the list; ARGV[1] JSON line, ARGV[2] ttl ms, ARGV[3] at most this many lines.
const APPEND = `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

// KEYS[1] the list. Output: its lines, oldest first.
const LINES = `return redis.call('LRANGE', KEYS[1], 0, -1)`;

export const readRun = (redis: StateRedis, prefix: string, id: string) =>
  readDoc<RunbookRun>(redis, key(prefix, id));

/**
 * Applies `change` (a walk.ts function) atomically, retrying on a conflict, and keeps
 * the open-runs index in the same step; undefined when it changed nothing.
 */
export async function changeRun(
  redis: StateRedis,
  prefix: string,
  id: string,
  change: (run: RunbookRun | undefined) => RunbookRun | undefined,
): Promise<RunbookRun | undefined> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const before = await readRun(redis, prefix, id);
    const next = change(before);
    if (next === undefined) return undefined;
    const after = { ...next, version: (before?.version ?? 0) + 1 };
    const score = after.finishedAt === undefined ? String(lastChangeOf(after)) : '';
    const args = [before?.version ?? 0, JSON.stringify(after), TTL_MS, id, score];
    const stored = await redis.eval(STORE, 2, key(prefix, id), openKey(prefix), ...args);
    if (Number(stored) === 1) return after;
  }
  throw new Error(`runbook run ${id} kept changing under 50 attempts to update it`);
}

/** Ids of open runs last changed at or before `until` (ms), least recently changed first. */
export async function openRunIds(
  redis: StateRedis,
  prefix: string,
  page: { until: number; offset?: number; count?: number },
): Promise<string[]> {
  const { until, offset = 0, count = 200 } = page;
  const ids = await redis.eval(OPEN, 1, openKey(prefix), until, offset, count);
  return Array.isArray(ids) ? ids.map(String) : [];
}

/** Drops an id the index still holds for a run that is over or gone (expired from Redis). */
export async function forgetOpenRun(redis: StateRedis, prefix: string, id: string) {
  await redis.eval(UNINDEX, 1, openKey(prefix), id);
}

/** One alert line of the run's thread, for its post-mortem (the incident workflow writes them). */
export async function appendRunAlert(
  redis: StateRedis,
  prefix: string,
  runId: string,
  line: RunAlertLine,
): Promise<void> {
  const json = JSON.stringify({ at: line.at, text: line.text.slice(0, 300) });
  await redis.eval(APPEND, 1, alertsKey(prefix, runId), json, TTL_MS, MAX_ALERT_LINES);
}

export async function readRunAlerts(
  redis: StateRedis,
  prefix: string,
  runId: string,
): Promise<RunAlertLine[]> {
  const raw = await redis.eval(LINES, 1, alertsKey(prefix, runId));
  return (Array.isArray(raw) ? raw : []).map((r) => JSON.parse(String(r)) as RunAlertLine);
}
