/** An approval request as kept in Redis (one hash per request), and its encoding. */
import type {
  Approval,
  ApprovalIntent,
  ApprovalParams,
  ApprovalStatus,
} from '../domain/approval.js';

export { approvalState } from '../domain/approval.js';
export type {
  Approval,
  ApprovalIntent,
  ApprovalParams,
  ApprovalStatus,
} from '../domain/approval.js';

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
    ['messageRef', a.messageRef],
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
const INTENTS: readonly string[] = ['pending', 'done', 'failed'];

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
    ...(h.messageRef ? { messageRef: h.messageRef } : {}),
    ...(h.threadTs ? { threadTs: h.threadTs } : {}),
    ...(h.threadRef ? { threadRef: h.threadRef } : {}),
    ...(h.runbook ? { runbook: parseRunbookLink(h.runbook) } : {}),
    createdAt: Number(h.createdAt),
    expiresAt: Number(h.expiresAt),
    status: h.status as ApprovalStatus,
    ...(h.decidedBy ? { decidedBy: h.decidedBy } : {}),
    ...(h.decidedAt ? { decidedAt: Number(h.decidedAt) } : {}),
    ...(h.intent && INTENTS.includes(h.intent) ? { intent: h.intent as ApprovalIntent } : {}),
    ...(h.intentError ? { intentError: h.intentError } : {}),
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
