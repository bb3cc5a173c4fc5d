/**
 * Four-eyes approvals in Redis. A destructive job waits for a request that someone
 * other than the requester, and on the approver list, approves before it expires.
 * The pending → approved | rejected step is one Lua script, so a double click or two
 * approvers clicking at once yield exactly one decision; every later click is told
 * 'already-decided'. Times come from the injected clock (as Bolt's verify-request
 * takes nowMilliseconds), so expiry is testable and every replica judges alike.
 *
 * Approving also records the job's *intent* in the same script (approval-scripts.ts):
 * the workflow (app/approvals/) enqueues the job and then ends the intent, and a sweep
 * completes the intents a crash left pending, so an approval never loses its job.
 *
 * Keys: `${prefix}:approval:${id}`, a hash (see approval-record.ts), living until
 * `retainMs` after its deadline, or `retainMs` after its decision;
 * `${prefix}:approvals:intents` (approved, job not yet queued: id by decision time) and
 * `${prefix}:approvals:deadlines` (undecided: id by expiry), two sorted sets.
 */
import { randomBytes } from 'node:crypto';
import { decodeApproval, encodeApproval, type Approval } from './approval-record.js';
import type { ApproverCheck } from '../domain/approval.js';
import {
  CREATE_APPROVAL,
  DECIDE_APPROVAL,
  DUE_IDS,
  END_INTENT,
  SET_APPROVAL_MESSAGE,
  TAKE_EXPIRED,
} from './approval-scripts.js';
import { approvalKey } from './approval-consume.js';
import { pairsToRecord, type StateRedis } from './redis.js';

export { approvalState } from './approval-record.js';
export type {
  Approval,
  ApprovalIntent,
  ApprovalParams,
  ApprovalStatus,
} from './approval-record.js';

/** Whether a Slack user may approve; see resolveApprovers(). */
export type { ApproverCheck } from '../domain/approval.js';

export const DEFAULT_APPROVAL_TTL_MS = 15 * 60_000;
export const DEFAULT_APPROVAL_RETAIN_MS = 7 * 24 * 3_600_000;

export interface ApprovalStoreOptions {
  redis: StateRedis;
  /** Every key starts with `${prefix}:`; Quorum's is `quorum` (transport/queue/names.ts). */
  prefix: string;
  /** ms since the epoch; Date.now by default. */
  now?: () => number;
  /** How long a record stays in Redis after its deadline or its decision. */
  retainMs?: number;
}

/** A request to record: the approval's own fields, an optional id, and how long it may wait. */
export type NewApproval = Pick<
  Approval,
  | 'cluster'
  | 'action'
  | 'params'
  | 'requestedBy'
  | 'channel'
  | 'messageTs'
  | 'messageRef'
  | 'threadTs'
  | 'threadRef'
  | 'runbook'
> & {
  /** Letters, digits, `-` and `_`, ≤ 64; a random one by default. */
  id?: string;
  /** How long it may wait for a decision; DEFAULT_APPROVAL_TTL_MS unless given. */
  ttlMs?: number;
};

export interface Decision {
  decision: 'approve' | 'reject';
  /** Slack user ID of whoever clicked. */
  by: string;
  approvers: ApproverCheck;
}

export type DecideOutcome =
  | 'approved'
  | 'rejected'
  | 'not-approver'
  | 'own-request'
  | 'already-decided'
  | 'expired'
  | 'not-found';

export type DecideResult =
  | { outcome: 'not-found'; approval?: undefined }
  | { outcome: Exclude<DecideOutcome, 'not-found'>; approval: Approval };

export interface ApprovalStore {
  createApproval(input: NewApproval): Promise<Approval>;
  decideApproval(id: string, decision: Decision): Promise<DecideResult>;
  getApproval(id: string): Promise<Approval | undefined>;
  /** Records where the request was posted; false when the approval is gone. */
  setApprovalMessage(id: string, channel: string, messageTs: string): Promise<boolean>;
  /** Ends a pending intent (the job is queued, or never can be); true for the one caller that did. */
  endIntent(id: string, end: 'done' | 'failed', reason?: string): Promise<boolean>;
  /** Ids of approvals decided at or before `until` (ms) whose job is not queued yet, oldest first. */
  pendingIntents(until: number, limit?: number): Promise<string[]>;
  /** Ids of undecided approvals whose deadline is past, by the store's clock. */
  dueExpiries(limit?: number): Promise<string[]>;
  /** The expired request, for the one caller that takes it off the deadlines (then ends it visibly). */
  takeExpired(id: string): Promise<Approval | undefined>;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function approvalStore(options: ApprovalStoreOptions): ApprovalStore {
  const { redis, prefix } = options;
  const now = options.now ?? Date.now;
  const retainMs = options.retainMs ?? DEFAULT_APPROVAL_RETAIN_MS;
  const key = (id: string) => approvalKey(prefix, id);
  const intentsKey = `${prefix}:approvals:intents`;
  const deadlinesKey = `${prefix}:approvals:deadlines`;

  async function getApproval(id: string): Promise<Approval | undefined> {
    return ID.test(id) ? decodeApproval(await redis.hgetall(key(id))) : undefined;
  }

  async function createApproval(input: NewApproval): Promise<Approval> {
    const id = input.id ?? randomBytes(9).toString('base64url');
    if (!ID.test(id)) throw new RangeError(`approval id "${id}" must match ${String(ID)}`);
    const ttlMs = input.ttlMs ?? DEFAULT_APPROVAL_TTL_MS;
    if (!(ttlMs > 0)) throw new RangeError(`approval ttlMs must be positive, got ${ttlMs}`);
    const createdAt = now();
    const approval: Approval = {
      id,
      cluster: input.cluster,
      action: input.action,
      params: input.params,
      requestedBy: input.requestedBy,
      channel: input.channel,
      ...(input.messageTs ? { messageTs: input.messageTs } : {}),
      ...(input.messageRef ? { messageRef: input.messageRef } : {}),
      ...(input.threadTs ? { threadTs: input.threadTs } : {}),
      ...(input.threadRef ? { threadRef: input.threadRef } : {}),
      ...(input.runbook ? { runbook: input.runbook } : {}),
      createdAt,
      expiresAt: createdAt + ttlMs,
      status: 'pending',
    };
    const created = await redis.eval(
      CREATE_APPROVAL,
      2,
      key(id),
      deadlinesKey,
      ttlMs + retainMs,
      id,
      approval.expiresAt,
      ...encodeApproval(approval),
    );
    if (created !== 1) throw new Error(`approval id "${id}" is already taken`);
    return approval;
  }

  async function decideApproval(id: string, d: Decision): Promise<DecideResult> {
    const at = now();
    const current = await getApproval(id);
    if (!current) return { outcome: 'not-found' };
    if (current.status !== 'pending') return { outcome: 'already-decided', approval: current };
    if (at >= current.expiresAt) return { outcome: 'expired', approval: current };
    const own = d.by === current.requestedBy;
    // Four eyes: nobody approves their own request. Rejecting it is allowed, approver
    // or not: it withdraws the request, which can never make a cluster change.
    if (own && d.decision === 'approve') return { outcome: 'own-request', approval: current };
    if (!own && !(await d.approvers(d.by))) return { outcome: 'not-approver', approval: current };
    const status = d.decision === 'approve' ? 'approved' : 'rejected';
    // The checks above are re-done atomically in the script: a concurrent click may have won.
    const reply = (await redis.eval(
      DECIDE_APPROVAL,
      3,
      key(id),
      intentsKey,
      deadlinesKey,
      status,
      d.by,
      at,
      retainMs,
      id,
    )) as unknown[] | null;
    const [outcome, ...fields] = reply ?? ['not-found'];
    const approval = decodeApproval(pairsToRecord(fields));
    if (outcome === 'not-found' || !approval) return { outcome: 'not-found' };
    return { outcome: outcome as Exclude<DecideOutcome, 'not-found'>, approval };
  }

  async function setApprovalMessage(id: string, channel: string, messageTs: string) {
    if (!ID.test(id)) return false;
    return (await redis.eval(SET_APPROVAL_MESSAGE, 1, key(id), channel, messageTs)) === 1;
  }

  async function endIntent(id: string, end: 'done' | 'failed', reason = '') {
    if (!ID.test(id)) return false;
    return (await redis.eval(END_INTENT, 2, key(id), intentsKey, id, end, reason)) === 1;
  }

  const dueIds = async (set: string, at: number, limit: number) =>
    ((await redis.eval(DUE_IDS, 1, set, at, limit)) as unknown[]).map(String);

  async function takeExpired(id: string): Promise<Approval | undefined> {
    if (!ID.test(id)) return undefined;
    const [taken, ...fields] = (await redis.eval(
      TAKE_EXPIRED,
      2,
      key(id),
      deadlinesKey,
      id,
      now(),
    )) as unknown[];
    return taken === 1 ? decodeApproval(pairsToRecord(fields)) : undefined;
  }

  return {
    createApproval,
    decideApproval,
    getApproval,
    setApprovalMessage,
    endIntent,
    pendingIntents: (until, limit = 100) => dueIds(intentsKey, until, limit),
    dueExpiries: (limit = 100) => dueIds(deadlinesKey, now(), limit),
    takeExpired,
  };
}
