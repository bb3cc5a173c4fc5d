/**
 * The root message of a command in the channel, edited as the job moves on:
 * "etcd snapshot of *prod*, asked by <@U123> — running" … "— ✔ done" /
 * "— ▲ 2 warnings" / "— ✖ failed". The thread under it holds the results.
 */
import type { Report } from '../../domain/report.js';
import type { SlackMessage } from './blocks.js';
import { textMessage } from './build.js';
import { escapeMrkdwn, mention } from './escape.js';
import { LIMITS, truncate } from './limits.js';
import { countFindings, countsText, kindLabel, SIGN } from './verdict.js';

export type RootState =
  | { status: 'running'; /** The current step, e.g. `defragmenting m1 (2 of 3)`. */ step?: string }
  | { status: 'awaiting-approval' }
  | { status: 'done'; criticals?: number; warnings?: number }
  | { status: 'failed' }
  | { status: 'rejected' }
  | { status: 'expired' };

function stateText(state: RootState): string {
  switch (state.status) {
    case 'running':
      return state.step ? `running: ${escapeMrkdwn(truncate(state.step, 200))}` : 'running';
    case 'awaiting-approval':
      return '⏳ waiting for approval';
    case 'done': {
      const counts = countsText(state.criticals ?? 0, state.warnings ?? 0);
      if (!counts) return `${SIGN.ok} done`;
      return `${state.criticals ? SIGN.crit : SIGN.warn} ${counts}`;
    }
    case 'failed':
      return `${SIGN.crit} failed`;
    case 'rejected':
      return `${SIGN.crit} rejected`;
    case 'expired':
      return '⌛ approval expired';
  }
}

/** The finished state a report calls for. */
export function rootStateOf(report: Report): RootState {
  return report.couldNotRun
    ? { status: 'failed' }
    : { status: 'done', ...countFindings(report.findings) };
}

/**
 * `etcd snapshot of *prod*, asked by <@U123> — running`. `requester` becomes a mention
 * only when it is a Slack user ID; anything else is shown as (escaped) text.
 */
export function rootMessageText(
  kind: string,
  cluster: string,
  requester: string,
  state: RootState,
): string {
  const what = escapeMrkdwn(kindLabel(kind));
  const text = `${what} of *${escapeMrkdwn(cluster)}*, asked by ${mention(requester)} — ${stateText(state)}`;
  return truncate(text, LIMITS.sectionText);
}

export function rootMessage(
  kind: string,
  cluster: string,
  requester: string,
  state: RootState,
): SlackMessage {
  const text = rootMessageText(kind, cluster, requester, state);
  return textMessage(text);
}
