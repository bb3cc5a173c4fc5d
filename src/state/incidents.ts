/**
 * Alert-group incidents in Redis: one JSON document per Alertmanager group, kept 30
 * days, changed by compare-and-set (state/versioned.ts), so two bot replicas given the
 * same notification cannot both open a thread.
 *
 * Key: `${prefix}:alert:group:${groupIdOf(groupKey)}`.
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
