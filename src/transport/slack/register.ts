/**
 * Bolt listeners: every slash command and the approval buttons. Each acks within
 * Slack's 3 s — bad input with an ephemeral usage message — and works after the ack;
 * a slash command's work waits for its turn (after-ack.ts), so a burst is acked first.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { toUserError } from '../../domain/user-error.js';
import { errorMessage, escapeMrkdwn } from '../../render/block-kit/index.js';
import {
  MANUAL_DONE_ACTION_ID,
  RUN_ANYWAY_ACTION_ID,
  runbookListMessage,
} from '../../render/block-kit/runbook.js';
import type { SilenceDeps } from '../../app/incidents/silence-common.js';
import type { ApprovalStore, ApproverCheck } from '../../state/approvals.js';
import type { OutboxWriter } from '../queue/outbox.js';
import type { AfterAck } from './after-ack.js';
import { handleApprovalClick } from './approval-actions.js';
import { COMMAND_HELP, parseSlashCommand, type Intent } from './commands/parse.js';
import { handleIntent, type IntakeDeps } from './intake.js';
import { handleRunAnywayClick } from './run-anyway-actions.js';
import { registerSilenceActions } from './silence-actions.js';

export type BotDeps = IntakeDeps & {
  approvals: ApprovalStore;
  isApprover: ApproverCheck;
  outbox: OutboxWriter;
  /** Silences from incident threads, when an Alertmanager client is wired. */
  silences?: SilenceDeps;
  /** Where a slash command's work waits for its turn after the ack. */
  afterAck: AfterAck;
};

export const SLASH_COMMANDS = [
  '/etcd-check',
  '/etcd-snapshot',
  '/etcd-defrag',
  '/quorum',
  '/k8s-upgrade-check',
  '/security-audit',
  '/backup-status',
  '/velero-backup',
  '/runbook',
];

const HELP_TEXT = `*Quorum commands*\n${Object.values(COMMAND_HELP)
  .flat()
  .map(
    (l) =>
      `• \`${escapeMrkdwn(l.split('  — ')[0] ?? l)}\`${l.includes('  — ') ? ` — ${escapeMrkdwn(l.split('  — ')[1] ?? '')}` : ''}`,
  )
  .join(
    '\n',
  )}\nExamples: \`/etcd-check prod\` · \`/etcd-snapshot schedule prod every 6h\` · \`/etcd-defrag prod\` · \`/k8s-upgrade-check v1.32.0 prod\``;

const ephemeral = (message: { text: string; blocks?: unknown[] }) => ({
  response_type: 'ephemeral' as const,
  ...message,
});

/**
 * What the person is told when their command or click failed: a QuorumError's message,
 * hint and code; anything else as INTERNAL with the trigger id the log line carries.
 */
const failedMessage = (err: unknown, trigger: string | undefined) =>
  errorMessage(toUserError(err, `trigger id ${trigger ?? '(none)'}`));

export function registerListeners(app: App, deps: BotDeps): void {
  const clusters = deps.config.clusters.map((c) => c.name);
  const runbooks = deps.engine?.runbooks.map((r) => r.id) ?? [];
  app.command(
    new RegExp(`^(${SLASH_COMMANDS.join('|')})$`),
    async ({ command, ack, client, respond }) => {
      let intent: Intent;
      try {
        intent = parseSlashCommand(command.command, command.text ?? '', { clusters, runbooks });
      } catch (err) {
        deps.logger.debug({ err, trigger: command.trigger_id }, 'slash command not parsed');
        await ack(ephemeral(failedMessage(err, command.trigger_id)));
        return;
      }
      if (intent.action === 'help') {
        await ack(ephemeral({ text: HELP_TEXT }));
        return;
      }
      if (intent.action === 'runbook.list') {
        await ack(ephemeral(runbookListMessage(deps.engine?.runbooks ?? [])));
        return;
      }
      await ack();
      const tell = async (text: string) =>
        void (await respond({ response_type: 'ephemeral', text }));
      deps.afterAck.run(async () => {
        try {
          await handleIntent(deps, {
            intent,
            userId: command.user_id,
            channel: command.channel_id,
            requestId: command.trigger_id,
            client,
            tell,
          });
        } catch (err) {
          const trigger = command.trigger_id;
          deps.logger.error(
            { err, command: command.command, trigger },
            'slash command failed after ack',
          );
          await respond(ephemeral(failedMessage(err, trigger)));
        }
      });
    },
  );

  for (const [actionId, decision] of [
    ['approval.approve', 'approve'],
    ['approval.reject', 'reject'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const tell = async (text: string) =>
        void (await respond({ response_type: 'ephemeral', replace_original: false, text }));
      try {
        await handleApprovalClick(deps, {
          approvalId: action.value ?? '',
          messageTs:
            body.message?.ts ?? (body.container as { message_ts?: string } | undefined)?.message_ts,
          decision,
          userId: body.user.id,
          tell,
        });
      } catch (err) {
        deps.logger.error({ err, trigger: body.trigger_id }, 'approval click failed');
        const told = failedMessage(err, body.trigger_id);
        await respond({ response_type: 'ephemeral', replace_original: false, ...told });
      }
    });
  }

  if (deps.silences) registerSilenceActions(app, deps.silences);

  app.action<BlockAction<ButtonAction>>(
    MANUAL_DONE_ACTION_ID,
    async ({ ack, body, action, respond }) => {
      await ack();
      const [runId = '', stepId = ''] = (action.value ?? '').split('|');
      const tell = async (text: string) =>
        void (await respond({ response_type: 'ephemeral', replace_original: false, text }));
      try {
        const done = await deps.engine?.manualDone(runId, stepId, body.user.id);
        if (!done)
          await tell('That step is already ticked off (or its run is over). Nothing was changed.');
      } catch (err) {
        deps.logger.error({ err, trigger: body.trigger_id }, 'Done click failed');
        const told = failedMessage(err, body.trigger_id);
        await respond({ response_type: 'ephemeral', replace_original: false, ...told });
      }
    },
  );

  app.action<BlockAction<ButtonAction>>(
    RUN_ANYWAY_ACTION_ID,
    async ({ ack, body, action, respond }) => {
      await ack();
      const tell = async (text: string) =>
        void (await respond({ response_type: 'ephemeral', replace_original: false, text }));
      try {
        await handleRunAnywayClick(deps.engine, {
          value: action.value ?? '',
          userId: body.user.id,
          tell,
        });
      } catch (err) {
        deps.logger.error({ err, trigger: body.trigger_id }, 'Run anyway click failed');
        const told = failedMessage(err, body.trigger_id);
        await respond({ response_type: 'ephemeral', replace_original: false, ...told });
      }
    },
  );
}
