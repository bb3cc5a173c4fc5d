/** An approval request as kept in Redis (one hash per request), and its encoding. */

/** Parameters exactly as they will run; shown on the request. Never put secrets here. */
export type ApprovalParams = Record<string, string | number | boolean>;

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

export interface Approval {
  id: string;
  cluster: string;
  /** The job kind that waits for it, e.g. `etcd.defrag`. */
  action: string;
  params: ApprovalParams;
  /** Slack user ID of the requester. */
  requestedBy: string;
  channel: string;
  /** The request message, once posted. */
  messageTs?: string;
  /** Where the approved job reports: this thread (ts, or the outbox ref of its root). */
  threadTs?: string;
  threadRef?: string;
  /** Set when the request is a runbook's action step: its decision advances the run. */
  runbook?: { run: string; step: string };
  /** ms since the epoch, by the store's clock. */
  createdAt: number;
  expiresAt: number;
  /** `pending` past `expiresAt` is expired: see approvalState(). */
  status: ApprovalStatus;
  /** Who approved or rejected it, and when (ms). */
  decidedBy?: string;
  decidedAt?: number;
}

/** What the request is now, given the clock: pending, expired, approved or rejected. */
export function approvalState(a: Approval, nowMs: number): ApprovalStatus | 'expired' {
  return a.status === 'pending' && nowMs >= a.expiresAt ? 'expired' : a.status;
}

/** The hash fields for a new approval, as a flat field/value list for HSET. */
export function encodeApproval(a: Approval): string[] {
  const fields: [string, string | undefined][] = [
    ['id', a.id],
    ['cluster', a.cluster],
    ['action', a.action],
    ['params', JSON.stringify(a.params)],
    ['requestedBy', a.requestedBy],
    ['channel', a.channel],
    ['messageTs', a.messageTs],
    ['threadTs', a.threadTs],
    ['threadRef', a.threadRef],
    ['runbook', a.runbook ? JSON.stringify(a.runbook) : undefined],
    ['createdAt', String(a.createdAt)],
    ['expiresAt', String(a.expiresAt)],
    ['status', a.status],
  ];
  return fields.flatMap(([k, v]) => (v === undefined ? [] : [k, v]));
}

const STATUSES: readonly string[] = ['pending', 'approved', 'rejected'];

function parseParams(text: string | undefined): ApprovalParams {
  try {
    const value: unknown = JSON.parse(text ?? '{}');
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as ApprovalParams)
      : {};
  } catch {
    return {};
  }
}

/** The approval in a hash read back from Redis; undefined when empty or not one. */
export function decodeApproval(h: Record<string, string>): Approval | undefined {
  if (!h.id || !h.status || !STATUSES.includes(h.status)) return undefined;
  return {
    id: h.id,
    cluster: h.cluster ?? '',
    action: h.action ?? '',
    params: parseParams(h.params),
    requestedBy: h.requestedBy ?? '',
    channel: h.channel ?? '',
    ...(h.messageTs ? { messageTs: h.messageTs } : {}),
    ...(h.threadTs ? { threadTs: h.threadTs } : {}),
    ...(h.threadRef ? { threadRef: h.threadRef } : {}),
    ...(h.runbook ? { runbook: parseRunbookLink(h.runbook) } : {}),
    createdAt: Number(h.createdAt),
    expiresAt: Number(h.expiresAt),
    status: h.status as ApprovalStatus,
    ...(h.decidedBy ? { decidedBy: h.decidedBy } : {}),
    ...(h.decidedAt ? { decidedAt: Number(h.decidedAt) } : {}),
  };
}

function parseRunbookLink(text: string): { run: string; step: string } | undefined {
  try {
    const v = JSON.parse(text) as { run?: unknown; step?: unknown };
    return typeof v.run === 'string' && typeof v.step === 'string'
      ? { run: v.run, step: v.step }
      : undefined;
  } catch {
    return undefined;
  }
}
