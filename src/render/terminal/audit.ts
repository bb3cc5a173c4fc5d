/** `quorum audit-log` for the terminal: one row per event, oldest first, times in UTC. */
import type { AuditEntry } from '../../domain/audit.js';
import { table } from './text.js';

/** What the table shows of an audit event: everything but its stream id. */
export type AuditRow = Omit<AuditEntry, 'id'>;

/** `2026-11-26 10:15:00Z` */
const utc = (ms: number) =>
  Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z` : '?';

// Values come from Slack users: keep escape sequences and newlines out of the terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const clean = (s: string | undefined, max = 60) => {
  const flat = (s ?? '').replace(CONTROL, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const paramsText = (p: Record<string, string> | undefined) =>
  p
    ? Object.entries(p)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')
    : '';

export function renderAuditText(rows: readonly AuditRow[], sinceMs?: number): string {
  const scope = sinceMs === undefined ? '' : ` since ${utc(sinceMs)}`;
  if (rows.length === 0) return `No audit events${scope}.\n`;
  const body = table(
    ['TIME (UTC)', 'WHO', 'TYPE', 'CLUSTER', 'ACTION', 'OUTCOME', 'DETAIL'],
    rows.map((r) => [
      utc(r.at),
      clean(r.who, 40),
      clean(r.type, 20),
      clean(r.cluster, 30),
      clean([r.action, paramsText(r.params)].filter(Boolean).join(' '), 60),
      clean(r.outcome, 20),
      clean(r.detail, 80),
    ]),
  );
  return `${body}\n\n${rows.length} event${rows.length === 1 ? '' : 's'}${scope}.\n`;
}
