/**
 * What a parsed slash command does: answer at once (help), change a schedule, post
 * the root message and enqueue the job into its thread, or — for a destructive
 * kind — post an approval request instead. Runs after the ack.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../../config/schema.js';
import { formatDuration } from '../../domain/units.js';
import type { Logger } from '../../domain/logger.js';
import {
  approvalRequestMessage,
  escapeMrkdwn,
  mention,
  rootMessage,
} from '../../render/block-kit/index.js';
import type { ApprovalStore } from '../../state/approvals.js';
import { appendAudit } from '../../state/audit.js';
import { firstDelivery } from '../../state/deliveries.js';
import { findRunbook } from '../../operations/runbooks/load.js';
import { resolveParams } from '../../operations/runbooks/match.js';
import { runbookRootMessage } from '../../render/block-kit/runbook.js';
import { findJobKind } from '../queue/catalogue.js';
import type { RunbookEngine } from '../../app/runbooks/engine.js';
import { enqueueJob } from '../queue/enqueue.js';
import type { JobQueues } from '../queue/queues.js';
import { removeSchedule, setSchedule } from '../queue/schedules.js';
import type { Intent } from './commands/parse.js';
import type { WebClient } from './web-client.js';

export interface IntakeDeps {
  /** Runbooks and their engine, where this process starts runs (`/runbook run`). */
  engine?: RunbookEngine;
  config: Config;
  queues: JobQueues;
  approvals: ApprovalStore;
  redis: Redis;
  prefix: string;
  logger: Logger;
}

export interface CommandContext {
  intent: Exclude<Intent, { action: 'help' } | { action: 'runbook.list' }>;
  userId: string;
  channel: string;
  /** Slack's trigger id: unique per invocation, so a repeated delivery acts once. */
  requestId: string;
  client: WebClient;
  /** An ephemeral answer to the person who asked. */
  tell(text: string): Promise<void>;
}

type JobIntent = Exclude<CommandContext['intent'], { action: 'runbook.run' }>;

const JOB_OF: Record<JobIntent['action'], { kind: string; what: string }> = {
  'etcd.check': { kind: 'etcd.check', what: 'etcd check' },
  'etcd.snapshot': { kind: 'etcd.snapshot', what: 'etcd snapshot' },
  'etcd.snapshot.list': { kind: 'etcd.snapshot.list', what: 'etcd snapshots' },
  'etcd.snapshot.schedule': { kind: 'etcd.snapshot', what: 'snapshot schedule' },
  'etcd.restore-plan': { kind: 'etcd.restore-plan', what: 'restore plan' },
  'etcd.drill': { kind: 'etcd.drill', what: 'etcd drill' },
  'etcd.defrag': { kind: 'etcd.defrag', what: 'etcd defrag' },
  'upgrade.check': { kind: 'upgrade.check', what: 'upgrade check' },
  'security.audit': { kind: 'security.audit', what: 'security audit' },
  'backup.status': { kind: 'backup.status', what: 'backup status' },
  'velero.backup': { kind: 'velero.backup', what: 'velero backup' },
};

const paramsOf = (intent: CommandContext['intent']): Record<string, string> =>
  intent.action === 'etcd.restore-plan' || (intent.action === 'etcd.drill' && intent.snapshotId)
    ? { snapshotId: intent.snapshotId as string }
    : intent.action === 'runbook.run'
      ? { runbook: intent.runbook, ...intent.params }
      : intent.action === 'upgrade.check'
        ? { to: intent.to }
        : intent.action === 'velero.backup'
          ? { namespace: intent.namespace }
          : {};

/** Posting where the bot is not a member fails; say how to fix it instead of failing silently. */
async function post(ctx: CommandContext, message: { text: string; blocks?: unknown[] }) {
  try {
    const res = await ctx.client.chat.postMessage({ channel: ctx.channel, ...message });
    return res.ts as string;
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code === 'not_in_channel' || code === 'channel_not_found') {
      await ctx.tell(
        'Quorum is not in this channel, so it cannot post the thread. Invite it with `/invite @quorum` and run the command again.',
      );
      return undefined;
    }
    throw err;
  }
}

export async function handleIntent(deps: IntakeDeps, ctx: CommandContext): Promise<void> {
  const { intent } = ctx;
  // One round trip: the trigger id claimed and the command audited, or a repeated delivery
  // (Slack re-sends a slow ack) found, acted on already. No audit entry, no action.
  const command = {
    type: 'command' as const,
    who: ctx.userId,
    cluster: intent.cluster,
    action: intent.action,
    params: paramsOf(intent),
    at: Date.now(),
  };
  if (!(await firstDelivery(deps.redis, deps.prefix, ctx.requestId, command))) return;
  if (intent.action === 'runbook.run') return startRunbook(deps, ctx, intent);
  if (intent.action === 'etcd.snapshot.schedule') return schedule(deps, ctx, intent);
  const job = JOB_OF[intent.action];
  if (findJobKind(job.kind)?.destructive) return requestApproval(deps, ctx, job.kind);
  const ts = await post(
    ctx,
    rootMessage(job.kind, intent.cluster, ctx.userId, { status: 'running' }),
  );
  if (!ts) return;
  await enqueueJob(deps.queues, {
    kind: job.kind,
    cluster: intent.cluster,
    params: paramsOf(intent),
    requestId: ctx.requestId,
    requestedBy: ctx.userId,
    target: { kind: 'slack', channel: ctx.channel, threadTs: ts, rootTs: ts },
  });
}

async function startRunbook(
  deps: IntakeDeps,
  ctx: CommandContext,
  intent: Extract<Intent, { action: 'runbook.run' }>,
): Promise<void> {
  if (!deps.engine) throw new Error('runbooks are not available in this process');
  const runbook = findRunbook(deps.engine.runbooks, intent.runbook);
  // Parameters are checked before anything is posted: a typo gets an answer, not a thread.
  const params = resolveParams(runbook, {}, intent.params);
  const ts = await post(ctx, runbookRootMessage(runbook, intent.cluster, ctx.userId, params));
  if (!ts) return;
  await deps.engine.start({
    runbook: runbook.id,
    cluster: intent.cluster,
    params,
    thread: { channel: ctx.channel, ts },
    startedBy: ctx.userId,
    runId: ctx.requestId.replace(/[^A-Za-z0-9]/g, '').slice(-24) || undefined,
  });
}

async function requestApproval(deps: IntakeDeps, ctx: CommandContext, kind: string): Promise<void> {
  const { intent } = ctx;
  if (deps.config.approvers.length === 0) {
    await ctx.tell(
      `${kind} changes the cluster and needs a second person's approval, but nobody can approve: QUORUM_APPROVERS is empty. Ask an admin to set it (Slack user or user-group IDs).`,
    );
    return;
  }
  const approval = await deps.approvals.createApproval({
    cluster: intent.cluster,
    action: kind,
    params: paramsOf(intent),
    requestedBy: ctx.userId,
    channel: ctx.channel,
    ttlMs: deps.config.approvals.expiry,
  });
  const ts = await post(ctx, approvalRequestMessage(approval));
  if (!ts) return;
  await deps.approvals.setApprovalMessage(approval.id, ctx.channel, ts);
  await appendAudit(deps.redis, deps.prefix, {
    type: 'approval.requested',
    who: ctx.userId,
    cluster: intent.cluster,
    action: kind,
    params: { approval: approval.id },
    at: Date.now(),
  });
}

async function schedule(
  deps: IntakeDeps,
  ctx: CommandContext,
  intent: Extract<Intent, { action: 'etcd.snapshot.schedule' }>,
) {
  const s = intent.schedule;
  const target = { kind: 'slack' as const, channel: ctx.channel };
  const [kind, what] =
    intent.job === 'drill' ? ['etcd.drill', 'drill'] : ['etcd.snapshot', 'snapshot'];
  let text: string;
  if ('off' in s) {
    const removed = await removeSchedule(deps.queues, intent.cluster, kind);
    text = removed ? `Periodic ${what}s are off` : `There was no ${what} schedule`;
  } else {
    await setSchedule(deps.queues, intent.cluster, kind, {
      ...s,
      target,
      source: 'slack',
    });
    const noun = what === 'drill' ? 'Drills' : 'Snapshots';
    text =
      'every' in s
        ? `${noun} every ${formatDuration(s.every)}`
        : `${noun} on cron \`${escapeMrkdwn(s.cron)}\` (UTC)`;
  }
  await post(ctx, {
    text: `${text} for *${escapeMrkdwn(intent.cluster)}*, set by ${mention(ctx.userId)}. Results are posted in this channel.`,
  });
}
