/**
 * The audit log: who asked for, approved and ran what, as one Redis stream
 * (`${prefix}:audit`), capped with `XADD … MAXLEN ~` so it never grows without bound.
 * Every value is a plain string. Nothing secret belongs here: callers pass params as
 * the operator typed them (cluster names, revisions, snapshot ids), never tokens,
 * passwords or keys; as a last guard, params whose name says secret are replaced.
 */
import type { AuditEntry, AuditEvent } from '../domain/audit.js';
import type { StateRedis } from './redis.js';
import { pairsToRecord } from './redis.js';

export { AUDIT_EVENT_TYPES } from '../domain/audit.js';
export type { AuditEntry, AuditEvent, AuditEventType } from '../domain/audit.js';

export const DEFAULT_AUDIT_MAX_LEN = 100_000;
/** Stream ids carry the Redis server's time; allow this much skew against `at`. */
const CLOCK_SKEW_MS = 5 * 60_000;
const PAGE = 1_000;
const MAX_VALUE = 4_000;

const SECRET_NAME = /pass(word|wd)?|secret|token|credential|private.?key|api.?key/i;

const auditKey = (prefix: string) => `${prefix}:audit`;
/** The stream's key, for messages that tell an operator what to repair. */
export const auditStreamKey = auditKey;
const clip = (s: string) => (s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s);

function safeParams(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, SECRET_NAME.test(k) ? '[redacted]' : String(v)]),
  );
}

/** The stream entry's field/value list of one event (what XADD is given after the id). */
export function auditFields(event: AuditEvent): string[] {
  const fields: [string, string | undefined][] = [
    ['type', event.type],
    ['who', event.who],
    ['cluster', event.cluster],
    ['action', event.action],
    ['params', event.params ? JSON.stringify(safeParams(event.params)) : undefined],
    ['outcome', event.outcome],
    ['detail', event.detail],
    ['at', new Date(event.at).toISOString()],
  ];
  return fields.flatMap(([k, v]) => (v === undefined ? [] : [k, clip(v)]));
}

/** Appends one event; returns its stream id. */
export async function appendAudit(
  redis: StateRedis,
  prefix: string,
  event: AuditEvent,
  maxLen = DEFAULT_AUDIT_MAX_LEN,
): Promise<string> {
  const flat = auditFields(event);
  const id = await redis.xadd(auditKey(prefix), 'MAXLEN', '~', maxLen, '*', ...flat);
  return id ?? '';
}

/** One append's outcome: written (its id), or why not — for callers that must not act without it. */
export type AuditWrite = { ok: true; id: string } | { ok: false; error: unknown };

/** Appends one event and says whether it was written, instead of throwing. */
export async function tryAppendAudit(
  redis: StateRedis,
  prefix: string,
  event: AuditEvent,
  maxLen = DEFAULT_AUDIT_MAX_LEN,
): Promise<AuditWrite> {
  try {
    return { ok: true, id: await appendAudit(redis, prefix, event, maxLen) };
  } catch (error) {
    return { ok: false, error };
  }
}

function parseParams(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return { raw: text };
  }
}

function decodeEntry(id: string, fields: string[]): AuditEntry {
  const f = pairsToRecord(fields);
  const params = parseParams(f.params);
  const at = Date.parse(f.at ?? '');
  return {
    id,
    type: f.type ?? '?',
    who: f.who ?? '?',
    cluster: f.cluster ?? '',
    action: f.action ?? '',
    ...(params ? { params } : {}),
    ...(f.outcome !== undefined ? { outcome: f.outcome } : {}),
    ...(f.detail !== undefined ? { detail: f.detail } : {}),
    // An entry without a readable time falls back to its stream id's.
    at: Number.isNaN(at) ? Number(id.split('-')[0]) : at,
  };
}

export interface ReadAuditOptions {
  /** Only events at or after this time (ms since the epoch); all when undefined. */
  sinceMs?: number;
  /** At most this many events (the oldest matching ones). */
  limit?: number;
}

/** Events oldest first. */
export async function readAudit(
  redis: StateRedis,
  prefix: string,
  options: ReadAuditOptions = {},
): Promise<AuditEntry[]> {
  const since = options.sinceMs;
  const limit = options.limit ?? DEFAULT_AUDIT_MAX_LEN;
  const out: AuditEntry[] = [];
  let start = since === undefined ? '-' : String(Math.max(0, since - CLOCK_SKEW_MS));
  while (out.length < limit) {
    const page = await redis.xrange(auditKey(prefix), start, '+', 'COUNT', PAGE);
    for (const [id, fields] of page) {
      const entry = decodeEntry(id, fields);
      if ((since === undefined || entry.at >= since) && out.length < limit) out.push(entry);
    }
    const last = page[page.length - 1];
    if (page.length < PAGE || !last) break;
    start = `(${last[0]}`;
  }
  return out;
}
