/**
 * The runbook engine: carries out what walk.ts decides. It stores each change of a
 * run by compare-and-set (state/runbook-runs.ts) and only the winner acts; every
 * action is idempotent besides (job ids, outbox message ids and approval ids derive
 * from the run and step), so a repeated event or a second replica changes nothing.
 * Bot (alerts, clicks) and workers (a step's job ended) share it.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../domain/logger.js';
import { worstSeverity, type Report } from '../../domain/report.js';
import { findRunbook } from '../../operations/runbooks/load.js';
import { fill, type RunbookParams } from '../../operations/runbooks/match.js';
import type { RunbookRun, RunThread } from '../../domain/runbook-run.js';
import { filledStep, type Runbook, type RunbookStep } from '../../domain/runbook.js';
import {
  advance,
  manualDone,
  newRun,
  stepDecided,
  stepFinished,
  type Effect,
  type StepOutcome,
} from '../../operations/runbooks/walk.js';
import {
  approvalRequestMessage,
  escapeMrkdwn,
  textMessage,
  type SlackMessage,
} from '../../render/block-kit/index.js';
import {
  checklistMessage,
  manualStepMessage,
  postMortemMessage,
  stepStartedMessage,
} from '../../render/block-kit/runbook.js';
import type { ApprovalStore } from '../../state/approvals.js';
import { appendAudit } from '../../state/audit.js';
import { changeRun, readRun } from '../../state/runbook-runs.js';
import { enqueueJob } from './enqueue.js';
import type { OutboxWriter } from './outbox.js';
import { threadWriter } from '../../app/thread-writer.js';
import type { JobQueues } from './queues.js';

export interface RunbookEngineDeps {
  redis: Redis;
  prefix: string;
  outbox: OutboxWriter;
  queues: JobQueues;
  approvals: ApprovalStore;
  runbooks: readonly Runbook[];
  config: Config;
  logger: Logger;
  now?: () => number;
}

export interface StartRun {
  runbook: string;
  cluster: string;
  params: RunbookParams;
  thread: RunThread;
  startedBy: string;
  /** Deterministic for alerts (one run per incident, however often it is started). */
  runId?: string;
  /** Alert lines for the post-mortem, read when the run ends. */
  timelineKey?: string;
}

export interface RunbookEngine {
  readonly runbooks: readonly Runbook[];
  start(input: StartRun): Promise<RunbookRun>;
  /** A step's job ended (called by the worker). */
  jobEnded(link: { run: string; step: string }, outcome: StepOutcome): Promise<void>;
  /** An action step's approval was decided (called by the bot). */
  decided(
    link: { run: string; step: string },
    decision: 'approved' | 'rejected',
    by: string,
  ): Promise<void>;
  /** A manual step's Done button. False when it was not waiting (a second click, an unknown run). */
  manualDone(runId: string, stepId: string, by: string): Promise<boolean>;
}

const short = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 10);
const listRef = (run: RunbookRun) => `rb-${run.id}-list`;
const manualRef = (run: RunbookRun, step: string) => `rb-${run.id}-m-${short(step)}`;

/** The outcome a step's report stands for: its worst finding and headline. */
export function outcomeOfReport(report: Report): StepOutcome {
  if (report.couldNotRun) return { ok: false, reason: report.couldNotRun };
  const severity = worstSeverity(report.findings);
  const worst = report.findings.find((f) => f.severity === severity) ?? report.findings[0];
  return { ok: true, severity, summary: worst?.title ?? 'done' };
}

export function createRunbookEngine(deps: RunbookEngineDeps): RunbookEngine {
  const now = deps.now ?? Date.now;
  const runbookOf = (run: RunbookRun) => findRunbook(deps.runbooks, run.runbook);
  const post = (run: RunbookRun, id: string, m: SlackMessage, ref?: string) =>
    threadWriter(deps.outbox, run.thread).post(id, m, ref);
  const edit = (run: RunbookRun, ref: string, id: string, m: SlackMessage, final = false) =>
    threadWriter(deps.outbox, run.thread).edit(ref, id, m, final);
  const refreshChecklist = (run: RunbookRun) =>
    edit(
      run,
      listRef(run),
      `${listRef(run)}-v${run.version}`,
      checklistMessage(run, runbookOf(run)),
      run.finishedAt !== undefined,
    );
  const audit = (
    run: RunbookRun,
    type: 'runbook.started' | 'runbook.step' | 'runbook.finished',
    action: string,
    outcome?: string,
    who = run.startedBy,
  ) =>
    appendAudit(deps.redis, deps.prefix, {
      type,
      who,
      cluster: run.cluster,
      action,
      outcome,
      params: { run: run.id },
      at: now(),
    }).catch((err: unknown) => deps.logger.warn({ err }, 'audit log not written'));

  /** Walks the run forward and carries out what the walk decided. */
  async function step(runId: string): Promise<void> {
    let effects: Effect[] = [];
    const stored = await changeRun(deps.redis, deps.prefix, runId, (run) => {
      if (!run) return undefined;
      const walked = advance(run, runbookOf(run), now());
      effects = walked.effects;
      return walked.effects.length ? walked.run : undefined;
    });
    if (!stored) return;
    for (const effect of effects) await carryOut(stored, effect);
    await refreshChecklist(stored);
  }

  async function carryOut(run: RunbookRun, effect: Effect): Promise<void> {
    const runbook = runbookOf(run);
    if (effect.type === 'finished') {
      const alerts = await alertTimeline(run);
      await post(run, `rb-${run.id}-postmortem`, postMortemMessage(run, alerts));
      await audit(run, 'runbook.finished', run.runbook, run.outcome);
      return;
    }
    const n = runbook.steps.findIndex((s) => s.id === effect.step.id) + 1;
    const of = runbook.steps.length;
    const stepKey = `rb-${run.id}-s-${short(effect.step.id)}`;
    if (effect.type === 'manual') {
      const m = manualStepMessage(run, effect.step, effect.commands, n, of);
      await post(run, stepKey, m, manualRef(run, effect.step.id));
      return;
    }
    await post(run, `${stepKey}-intro`, stepStartedMessage(effect.step, n, of));
    if (effect.type === 'run') await enqueueStep(run, effect.step, effect.params);
    else await askApproval(run, effect.step, effect.params, stepKey);
  }

  async function enqueueStep(
    run: RunbookRun,
    step: RunbookStep,
    params: Record<string, unknown>,
    approval?: { id: string; approvedBy: string },
  ) {
    if (step.kind === 'manual') return;
    try {
      await enqueueJob(deps.queues, {
        kind: step.job,
        cluster: run.cluster,
        params,
        requestId: `rb-${run.id}-${short(step.id)}`,
        requestedBy: run.startedBy,
        target: {
          kind: 'slack',
          channel: run.thread.channel,
          threadTs: run.thread.ts,
          threadRef: run.thread.ref,
        },
        runbook: { run: run.id, step: step.id },
        ...(approval ? { approval } : {}),
      });
    } catch (err) {
      deps.logger.error({ err, run: run.id, step: step.id }, 'runbook step could not be enqueued');
      await engine.jobEnded(
        { run: run.id, step: step.id },
        { ok: false, reason: (err as Error).message },
      );
    }
  }

  async function askApproval(
    run: RunbookRun,
    step: RunbookStep,
    params: Record<string, string | number | boolean>,
    stepKey: string,
  ) {
    if (step.kind === 'manual') return;
    if (deps.config.approvers.length === 0) {
      const text = `${escapeMrkdwn(step.title)} changes the cluster and needs a second person's approval, but nobody can approve: QUORUM_APPROVERS is empty. Do it by hand if you must, or ask an admin to set approvers.`;
      await post(run, `${stepKey}-noapprovers`, textMessage(text));
      return;
    }
    const id = `rb_${run.id}_${short(step.id)}`;
    const approval =
      (await deps.approvals.getApproval(id)) ??
      (await deps.approvals.createApproval({
        id,
        cluster: run.cluster,
        action: step.job,
        params,
        requestedBy: run.startedBy,
        channel: run.thread.channel,
        threadTs: run.thread.ts,
        threadRef: run.thread.ref,
        runbook: { run: run.id, step: step.id },
      }));
    await post(run, `${stepKey}-approval`, approvalRequestMessage(approval));
    await appendAudit(deps.redis, deps.prefix, {
      type: 'approval.requested',
      who: run.startedBy,
      cluster: run.cluster,
      action: step.job,
      params: { approval: id, run: run.id },
      at: now(),
    });
  }

  async function alertTimeline(run: RunbookRun): Promise<{ at: number; text: string }[]> {
    const raw = await deps.redis.lrange(`${deps.prefix}:runbook:run:${run.id}:alerts`, 0, 200);
    return raw.map((r) => JSON.parse(r) as { at: number; text: string });
  }

  const engine: RunbookEngine = {
    runbooks: deps.runbooks,
    async start(input) {
      const runbook = findRunbook(deps.runbooks, input.runbook);
      const runId =
        input.runId ??
        short(`${input.runbook}-${now()}-${Math.random()}`).replace(/[^A-Za-z0-9]/g, 'x');
      const created = await changeRun(deps.redis, deps.prefix, runId, (existing) =>
        existing
          ? undefined
          : newRun(runbook, {
              id: runId,
              cluster: input.cluster,
              params: input.params,
              thread: input.thread,
              startedBy: input.startedBy,
              startedAt: now(),
            }),
      );
      const run = created ?? (await readRun(deps.redis, deps.prefix, runId));
      if (!run) throw new Error(`runbook run ${runId} vanished`);
      if (created) {
        await post(run, `${listRef(run)}-post`, checklistMessage(run, runbook), listRef(run));
        await audit(run, 'runbook.started', run.runbook);
        await step(run.id);
      }
      return run;
    },
    async jobEnded(link, outcome) {
      const run = await changeRun(deps.redis, deps.prefix, link.run, (r) =>
        r ? stepFinished(r, runbookOf(r), link.step, outcome, now()) : undefined,
      );
      if (!run) return;
      await audit(
        run,
        'runbook.step',
        link.step,
        outcome.ok ? outcome.severity : `failed: ${outcome.reason}`,
      );
      await refreshChecklist(run);
      await step(run.id);
    },
    async decided(link, decision, by) {
      const run = await changeRun(deps.redis, deps.prefix, link.run, (r) =>
        r ? stepDecided(r, link.step, decision, by, now()) : undefined,
      );
      if (!run) return;
      await refreshChecklist(run);
      if (decision === 'rejected') await step(run.id);
    },
    async manualDone(runId, stepId, by) {
      const run = await changeRun(deps.redis, deps.prefix, runId, (r) =>
        r ? manualDone(r, runbookOf(r), stepId, by, now()) : undefined,
      );
      if (!run) return false;
      const runbook = runbookOf(run);
      const at = runbook.steps.findIndex((s) => s.id === stepId);
      const stepDef = filledStep(runbook.steps[at] as RunbookStep, run.params);
      const n = at + 1;
      const commands = stepDef.kind === 'manual' ? stepDef.commands : [];
      await edit(
        run,
        manualRef(run, stepId),
        `${manualRef(run, stepId)}-done`,
        manualStepMessage(
          run,
          stepDef,
          commands.map((c) => fill(c, run.params)),
          n,
          runbook.steps.length,
          { by, at: now() },
        ),
        true,
      );
      await audit(run, 'runbook.step', stepId, 'done', by);
      await step(run.id);
      return true;
    },
  };
  return engine;
}
