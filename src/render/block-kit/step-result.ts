/**
 * A runbook step's result in its thread, labelled with the step (`Step 2/8 · Raised
 * alarms`), so results of steps that ran side by side read in step order: the job's
 * report message with the label on top, or why the step's job failed.
 */
import type { Block, SlackMessage } from './blocks.js';
import { context, textMessage } from './build.js';
import { escapeMrkdwn } from './escape.js';
import { LIMITS, truncate } from './limits.js';

export interface StepLabel {
  n: number;
  of: number;
  title: string;
}

const labelText = (l: StepLabel) => `Step ${l.n}/${l.of} · ${truncate(l.title, 150)}`;

export function stepResultMessage(label: StepLabel, report: SlackMessage): SlackMessage {
  const head = `*${escapeMrkdwn(labelText(label))}*`;
  // The label takes one of Slack's 50 blocks: the report's last one gives way when full.
  const body = (report.blocks ?? []).slice(0, LIMITS.blocks - 1);
  const blocks: Block[] = [context(head), ...body];
  return { text: truncate(`${escapeMrkdwn(labelText(label))}: ${report.text}`, 3_000), blocks };
}

export function stepFailedMessage(label: StepLabel, reason: string): SlackMessage {
  return textMessage(
    `:x: *${escapeMrkdwn(labelText(label))}* failed: ${escapeMrkdwn(truncate(reason, 2_000))}`,
  );
}
