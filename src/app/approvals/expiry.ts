/**
 * How long an approval request waits for a decision: a runbook action step's own
 * `approvalExpiry`, else the config's `approvals.expiry` (15 minutes by default).
 */
import type { RunbookStep } from '../../domain/runbook.js';

export function approvalTtlMs(
  config: { approvals: { expiry: number } },
  step?: RunbookStep,
): number {
  return (step?.kind === 'action' ? step.approvalExpiry : undefined) ?? config.approvals.expiry;
}
