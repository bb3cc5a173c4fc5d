/**
 * Step results in step order. When a step's job ends, its result message is rendered
 * and kept (state/step-results.ts) before the run records the step's end; whenever the
 * run changes, the results of every step up to the first one still open are posted, in
 * order. Steps that ran side by side therefore read in step order whatever order they
 * ended in, and posting again is a no-op (the outbox id is the run's and step's), so a
 * re-delivered job end re-posts nothing.
 */
import type { Report } from '../../domain/report.js';
import { isTerminal, type RunbookRun } from '../../domain/runbook-run.js';
import { fill } from '../../operations/runbooks/match.js';
import { messageForReport, type SlackMessage } from '../../render/block-kit/index.js';
import {
  stepFailedMessage,
  stepResultMessage,
  type StepLabel,
} from '../../render/block-kit/step-result.js';
import { keepStepResult, markStepResultPosted, readStepResults } from '../../state/step-results.js';
import type { Runbook } from '../../domain/runbook.js';
import type { StateRedis } from '../../state/redis.js';
import { readRun } from '../../state/runbook-runs.js';
import { stepKey } from './ids.js';

export type JobEnd = { report: Report } | { failure: string };

/** What this needs of the engine's RunContext (context.ts), which calls it. */
export interface ResultContext {
  deps: { redis: StateRedis; prefix: string };
  runbookOf(run: RunbookRun): Runbook;
  post(run: RunbookRun, id: string, message: SlackMessage): Promise<void>;
}

/** The label of a step: its place in the runbook and its title, parameters filled in. */
function labelOf(ctx: ResultContext, run: RunbookRun, stepId: string): StepLabel | undefined {
  const steps = ctx.runbookOf(run).steps;
  const i = steps.findIndex((s) => s.id === stepId);
  const step = steps[i];
  return step ? { n: i + 1, of: steps.length, title: fill(step.title, run.params) } : undefined;
}

/** Renders and keeps the result of a step's job; the first one kept stays. */
export async function keepResult(
  ctx: ResultContext,
  link: { run: string; step: string },
  end: JobEnd,
): Promise<void> {
  const run = await readRun(ctx.deps.redis, ctx.deps.prefix, link.run);
  if (!run) return;
  const label = labelOf(ctx, run, link.step);
  if (!label) return;
  const message =
    'report' in end
      ? stepResultMessage(label, messageForReport(end.report))
      : stepFailedMessage(label, end.failure);
  await keepStepResult(ctx.deps.redis, ctx.deps.prefix, run.id, link.step, message);
}

/** Posts the kept results of the steps before the first open one, in step order. */
export async function postResultsInOrder(ctx: ResultContext, run: RunbookRun): Promise<void> {
  const { redis, prefix } = ctx.deps;
  const kept = await readStepResults<SlackMessage>(redis, prefix, run.id);
  if (kept.size === 0) return;
  for (const state of run.steps) {
    if (!isTerminal(state.status)) return;
    const result = kept.get(state.id);
    if (!result || result.posted) continue;
    await ctx.post(run, `${stepKey(run, state.id)}-result`, result.message);
    await markStepResultPosted(redis, prefix, run.id, state.id);
  }
}
