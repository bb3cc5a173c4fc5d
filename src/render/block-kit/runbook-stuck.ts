/**
 * What the runbook sweep says in a run's thread when it ends something that waited
 * past its bound: which step, what happened, and what to do now — restart the runbook
 * (and approve in time), or look at the step's job.
 */
import type { RunbookRun } from '../../domain/runbook-run.js';
import type { RunbookStep } from '../../domain/runbook.js';
import { formatDuration } from '../../domain/units.js';
import type { SlackMessage } from './blocks.js';
import { textMessage } from './build.js';
import { escapeMrkdwn, inlineCode, slackDate } from './escape.js';
import { truncate } from './limits.js';

/** A step and where it stands in its runbook (n of `of`). */
export interface StepAt {
  step: RunbookStep;
  n: number;
  of: number;
}

const esc = (s: string, max = 150) => escapeMrkdwn(truncate(s, max));
const heading = ({ step, n, of }: StepAt) =>
  `*Step ${n}/${of} · ${step.phase} — ${esc(step.title)}*`;

/** `/runbook run node-not-ready prod node=worker-1`: the command that starts the run again. */
export function restartCommand(run: RunbookRun): string {
  const params = Object.entries(run.params).map(([k, v]) => ` ${k}=${v}`);
  return `/runbook run ${run.runbook} ${run.cluster}${params.join('')}`;
}

const restart = (run: RunbookRun) => inlineCode(truncate(restartCommand(run), 500));

export function stepApprovalExpiredMessage(
  run: RunbookRun,
  at: StepAt,
  expiredAt: number,
): SlackMessage {
  return textMessage(
    `⌛ ${heading(at)}: its approval expired ${slackDate(expiredAt)} with nobody deciding, so the step did not run and the runbook stopped here (the steps after it assumed it had run). Nothing was changed. To try again, restart the runbook and have an approver decide in time: ${restart(run)}`,
  );
}

export function stepNoResultMessage(
  run: RunbookRun,
  at: StepAt,
  boundMs: number,
  requestId: string,
): SlackMessage {
  const next =
    run.outcome === 'stopped'
      ? 'the runbook stopped, since the steps after it assumed it had worked'
      : run.steps.some((s) => s.status === 'pending')
        ? 'the runbook goes on without it'
        : 'the runbook ends with it';
  return textMessage(
    `⌛ ${heading(at)}: no result within ${formatDuration(boundMs)} (its job's time limit with every retry, and time in the queue), so it is marked failed and ${next}. Check the job on the cluster's worker (its log names request \`${esc(requestId, 100)}\`); a report that still comes lands in this thread. To run the steps again: ${restart(run)}`,
  );
}

export function runAbandonedMessage(
  run: RunbookRun,
  forMs: number,
  open: readonly RunbookStep[],
): SlackMessage {
  const waiting = open.length
    ? ` (waiting on: ${open.map((s) => `_${esc(s.title, 100)}_`).join(', ')})`
    : '';
  return textMessage(
    `⌛ Runbook *${esc(run.title)}* had no progress for ${formatDuration(forMs)}${waiting}, so Quorum stopped it: its open steps are marked expired. If the incident is still on, start it again: ${restart(run)}`,
  );
}
