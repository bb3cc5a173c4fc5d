/**
 * An approval the store holds as approved, as a destructive job needs: requested by U1
 * in C1, approved by U2. `endIntent` ends its job intent, for tests that enqueue the job
 * by hand (so the sweep does not enqueue it as well).
 */
import type { Redis } from 'ioredis';
import { approvalStore } from '../../src/state/approvals.js';

export interface ApprovedOptions {
  cluster?: string;
  endIntent?: boolean;
}

export async function approvedApproval(
  client: Redis,
  prefix: string,
  id: string,
  action: string,
  opts: ApprovedOptions = {},
): Promise<{ id: string; approvedBy: string }> {
  const approvals = approvalStore({ redis: client, prefix });
  await approvals.createApproval({
    id,
    cluster: opts.cluster ?? 'c1',
    action,
    params: {},
    requestedBy: 'U1',
    channel: 'C1',
  });
  await approvals.decideApproval(id, {
    decision: 'approve',
    by: 'U2',
    approvers: () => Promise.resolve(true),
  });
  if (opts.endIntent) await approvals.endIntent(id, 'done');
  return { id, approvedBy: 'U2' };
}
