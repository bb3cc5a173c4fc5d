/**
 * Giving up on an outbox message without holding back its thread: the message goes to
 * the dead-letter list (state/outbox-dead-letters.ts), one error line goes to the log,
 * and a short plain-text notice goes into the same thread, so the people there know
 * something is missing and the thread's later messages follow in order.
 *
 * A post's notice takes the post's place in its stream (and its ref, so a thread
 * whose root failed lives on under the notice); an edit's notice is a new post into
 * the edited message's thread. A notice that fails for good is dead-lettered too,
 * with no notice about it: nothing loops. No notice is posted where none could
 * arrive (the channel is gone, the bot is not in it, its token is refused).
 */
import type { Logger } from '../../domain/logger.js';
import type { OutboxMessage, PostMessage } from '../../domain/outbox-message.js';
import { buryOutboxMessage, type DeadLetter } from '../../state/outbox-dead-letters.js';
import type { RuntimeMetrics } from '../http/metrics.js';
import type { Redis } from 'ioredis';
import type { OutboxWriter } from './outbox.js';

/** A message as kept in a stream's list: a notice is marked, so it never gets one itself. */
export type QueuedMessage = OutboxMessage & { notice?: true };

/** Failures where a notice in the same channel could not arrive either. */
const NO_NOTICE = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'channel_is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'access_denied',
  'ekm_access_denied',
  'team_access_not_granted',
  'ref_never_posted',
]);

export interface DeadLetterDeps {
  connection: Redis;
  prefix: string;
  /** Where an edit's notice is pushed. */
  outbox: OutboxWriter;
  metrics: RuntimeMetrics;
  logger: Logger;
  retryLimitMs: number;
}

export interface Burial {
  stream: string;
  list: string;
  /** The message JSON as the drain took it, its index in the list, how many go with it. */
  taken: string;
  index: number;
  count: number;
  /** The message (its ref resolved when it was sent). */
  message: QueuedMessage;
  method: string;
  code: string;
  status?: number;
  detail?: string;
  /** Transient, but failing past the retry limit. */
  expired: boolean;
}

export async function deadLetter(deps: DeadLetterDeps, b: Burial): Promise<void> {
  const notice = noticeFor(b, deps.retryLimitMs);
  // An edit's notice first: pushed twice (a crash before burying), it is deduplicated by id.
  if (notice && b.message.op === 'update') await deps.outbox.push(notice);
  const buried = await buryOutboxMessage(deps.connection, deps.prefix, {
    list: b.list,
    taken: b.taken,
    index: b.index,
    count: b.count,
    ...(notice && b.message.op === 'post' ? { replacement: JSON.stringify(notice) } : {}),
    letter: letterOf(b, notice !== undefined),
  });
  if (!buried) return;
  deps.metrics.outboxDropped.inc({ reason: b.code });
  const { message: m } = b;
  deps.logger.error(
    {
      id: m.id,
      stream: b.stream,
      channel: m.channel,
      method: b.method,
      code: b.code,
      ...(b.status ? { status: b.status } : {}),
      ...(b.detail ? { detail: b.detail } : {}),
      expired: b.expired,
      noticed: notice !== undefined,
      text: m.text.slice(0, 300),
    },
    m.notice
      ? 'The notice about an undelivered Slack message could not be delivered either; given up'
      : b.expired
        ? 'Slack kept failing past the retry limit; the message is in the dead-letter list'
        : 'Slack refused the message for good; it is in the dead-letter list',
  );
}

/** The notice to post in the message's thread, or none. */
function noticeFor(b: Burial, retryLimitMs: number): (PostMessage & { notice: true }) | undefined {
  const m = b.message;
  if (m.notice || NO_NOTICE.has(b.code)) return undefined;
  const reason = b.status ? `HTTP ${b.status}` : b.code;
  const text = `A message from Quorum could not be delivered: ${reason}${
    b.expired ? `, still failing after ${minutes(retryLimitMs)}` : ''
  }. Details in the bot's log.`;
  // After the retry limit Slack is likely still down: the notice gets one try, not another window.
  const at = b.expired ? (m.at ?? Date.now()) : Date.now();
  const common = { id: `notice.${m.id}`, channel: m.channel, text, at, notice: true as const };
  if (m.op === 'update') {
    return m.ts ? { ...common, op: 'post', threadTs: m.ts } : undefined;
  }
  return {
    ...common,
    op: 'post',
    ...(m.threadTs ? { threadTs: m.threadTs } : m.threadRef ? { threadRef: m.threadRef } : {}),
    ...(m.ref ? { ref: m.ref } : {}),
  };
}

function letterOf(b: Burial, noticed: boolean): DeadLetter {
  const m = b.message;
  return {
    id: m.id,
    stream: b.stream,
    channel: m.channel,
    op: m.op,
    ...(m.op === 'post' && m.threadTs ? { threadTs: m.threadTs } : {}),
    ...(m.op === 'update' && m.ts ? { ts: m.ts } : {}),
    method: b.method,
    code: b.code,
    ...(b.status ? { status: b.status } : {}),
    expired: b.expired,
    notice: m.notice === true,
    noticed,
    queuedAt: m.at ?? Date.now(),
    failedAt: Date.now(),
    text: m.text,
    ...(m.blocks ? { blocks: m.blocks.length } : {}),
  };
}

const minutes = (ms: number) =>
  ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1_000)} s`;
