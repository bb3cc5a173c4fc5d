/**
 * The one progress reply of a job that has no root message to edit (a runbook step, an
 * approved job): posted into its thread on the first progress and edited in place after,
 * e.g. `*drain of prod* — evicted 37/120, 2 blocked by db-pdb`. Its words stay true once
 * the job has ended (it is not edited again then): the result follows it in the thread.
 */
import type { SlackMessage } from './blocks.js';
import { context, section } from './build.js';
import { escapeMrkdwn } from './escape.js';
import { LIMITS, truncate } from './limits.js';

const NOTE = '_Where it stands, edited in place as it runs; its result is posted in this thread._';

/** `title`: "drain of prod"; `step`: where it stands (plain text, escaped here). */
export function progressReplyMessage(title: string, step: string): SlackMessage {
  const line = `*${escapeMrkdwn(title)}* — ${escapeMrkdwn(truncate(step, 500))}`;
  return {
    text: truncate(`${escapeMrkdwn(title)}: ${escapeMrkdwn(step)}`, LIMITS.fallbackText),
    blocks: [section(line), context(NOTE)],
  };
}
