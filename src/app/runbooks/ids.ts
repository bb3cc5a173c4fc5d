/**
 * The names a run's effects go by, all derived from the run and step, so a repeated
 * event or a second replica names the same job, message and approval, and acts once:
 * job request ids, outbox message ids, the refs of messages edited later, approval ids.
 */
import { createHash } from 'node:crypto';
import type { RunbookRun } from '../../domain/runbook-run.js';

export const short = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 10);

/** A fresh run id (a run started by hand without a trigger id). */
export const newRunId = (runbook: string, now: number) =>
  short(`${runbook}-${now}-${Math.random()}`).replace(/[^A-Za-z0-9]/g, 'x');

/** The checklist message, edited as steps end. */
export const listRef = (run: RunbookRun) => `rb-${run.id}-list`;
/** A manual step's message, edited when it is ticked off. */
export const manualRef = (run: RunbookRun, step: string) => `rb-${run.id}-m-${short(step)}`;
/** The stem of every message a step posts. */
export const stepKey = (run: RunbookRun, step: string) => `rb-${run.id}-s-${short(step)}`;
export const postMortemId = (run: RunbookRun) => `rb-${run.id}-postmortem`;
/** The sweep's word on a run it stopped for want of progress. */
export const abandonedId = (run: RunbookRun) => `rb-${run.id}-abandoned`;
/** The request id of a step's job (its BullMQ job id derives from it). */
export const stepRequestId = (run: RunbookRun, step: string) => `rb-${run.id}-${short(step)}`;
/** The approval an action step asks for. */
export const stepApprovalId = (run: RunbookRun, step: string) => `rb_${run.id}_${short(step)}`;
/** The approval a Run anyway click on a skipped step asks for (one, however often clicked). */
export const anywayApprovalId = (run: RunbookRun, step: string) =>
  `rb_${short(run.id)}${short(`${run.id}|${step}|anyway`)}_anyway`;
/** The request id of a skipped diagnose step's job run anyway. */
export const anywayRequestId = (run: RunbookRun, step: string) =>
  `rb-${run.id}-${short(step)}-anyway`;
