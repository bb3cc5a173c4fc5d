/**
 * A four-eyes approval request: the one declaration every layer uses (state keeps it
 * in Redis, render shows it, the approval workflow decides it and enqueues its job).
 */

/** Parameters exactly as they will run; shown on the request. Never put secrets here. */
export type ApprovalParams = Record<string, string | number | boolean>;

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

/**
 * What became of the job an approval stands for. The decision records `pending` in
 * the same atomic step; the workflow enqueues the job and then marks it `done`, or
 * `failed` when the job can never be queued (its kind or cluster is gone).
 */
export type ApprovalIntent = 'pending' | 'done' | 'failed';

export interface Approval {
  id: string;
  cluster: string;
  /** The job kind that waits for it, e.g. `etcd.defrag`. */
  action: string;
  params: ApprovalParams;
  /** Slack user ID of the requester. */
  requestedBy: string;
  channel: string;
  /** The request message, once posted (directly, or learnt from a click on it). */
  messageTs?: string;
  /** Or the outbox ref the request message was posted under (its ts is not known here). */
  messageRef?: string;
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
  /** Approved only: whether its job is queued yet. */
  intent?: ApprovalIntent;
  /** Why the job could not be queued (intent `failed`). */
  intentError?: string;
}

/** What the request is now, given the clock: pending, expired, approved or rejected. */
export function approvalState(a: Approval, nowMs: number): ApprovalStatus | 'expired' {
  return a.status === 'pending' && nowMs >= a.expiresAt ? 'expired' : a.status;
}

/** Whether a Slack user may approve (QUORUM_APPROVERS: users and user groups). */
export type ApproverCheck = (userId: string) => Promise<boolean>;

/** The request id of an approval's job: the same on every try, so it is enqueued once. */
export const approvalRequestId = (approvalId: string) => `approval-${approvalId}`;
