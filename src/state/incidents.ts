/**
 * Alert-group incidents in Redis: one JSON document per Alertmanager group, kept 30
 * days, changed by compare-and-set (state/versioned.ts), so two bot replicas given the
 * same notification cannot both open a thread.
 *
 * Keys: `${prefix}:alert:group:${groupIdOf(groupKey)}` (the group), and
 * `${prefix}:alert:run:${runId}` (the group key of the thread a runbook run lives in).
 */
import { groupIdOf, type IncidentGroup } from '../domain/incident.js';
import type { StateRedis } from './redis.js';
import { readDoc, updateDoc } from './versioned.js';

export const INCIDENT_TTL_MS = 30 * 24 * 3_600_000;
const key = (prefix: string, groupKey: string) => `${prefix}:alert:group:${groupIdOf(groupKey)}`;

export const readIncident = (redis: StateRedis, prefix: string, groupKey: string) =>
  readDoc<IncidentGroup>(redis, key(prefix, groupKey));

/** Applies `change` (a pure transition) atomically; undefined when it changed nothing. */
export async function changeIncident(
  redis: StateRedis,
  prefix: string,
  groupKey: string,
  change: (current: IncidentGroup | undefined) => IncidentGroup | undefined,
): Promise<IncidentGroup | undefined> {
  return (await updateDoc(redis, key(prefix, groupKey), INCIDENT_TTL_MS, change))?.after;
}

const runKey = (prefix: string, runId: string) => `${prefix}:alert:run:${runId}`;

/** Remembers which group's thread a runbook run lives in (the run changes the group's root). */
export async function linkRunToIncident(
  redis: StateRedis,
  prefix: string,
  runId: string,
  groupKey: string,
): Promise<void> {
  await redis.eval(LINK, 1, runKey(prefix, runId), groupKey, INCIDENT_TTL_MS);
}

export async function incidentOfRun(
  redis: StateRedis,
  prefix: string,
  runId: string,
): Promise<IncidentGroup | undefined> {
  const groupKey = await redis.get(runKey(prefix, runId));
  return groupKey ? readIncident(redis, prefix, groupKey) : undefined;
}

// KEYS[1] the link; ARGV[1] the group key, ARGV[2] ttl ms.
const LINK = `return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])`;
