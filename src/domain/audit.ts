/**
 * An audit event — who asked for, approved and ran what — as written (AuditEvent) and
 * as read back (AuditEntry): the one declaration state/audit.ts, the CLI and the
 * renderers share.
 */

export const AUDIT_EVENT_TYPES = [
  'command',
  'approval.requested',
  'approval.decided',
  'job.started',
  'job.finished',
  'alert.received',
  'runbook.started',
  'runbook.step',
  'runbook.finished',
  'silence.created',
  'silence.expired',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditEvent {
  type: AuditEventType;
  /** Slack user ID, `alice@cp-1 (cli)`, `schedule`, `alertmanager`… */
  who: string;
  cluster: string;
  action: string;
  /** Never secrets. */
  params?: Record<string, string>;
  /** e.g. `approved`, `ok`, `warn`, `failed`. */
  outcome?: string;
  detail?: string;
  /** ms since the epoch. */
  at: number;
}

/** An event read back: its stream id, and `type` as written (a newer writer may add types). */
export interface AuditEntry extends Omit<AuditEvent, 'type'> {
  id: string;
  type: string;
}
