/**
 * The frame every report message shares: a header, the verdict, the report's own
 * blocks, its findings (within what is left of the 50-block budget) and a footer with
 * when it ran. Also the generic fallback for report kinds without their own renderer.
 */
import { formatDuration } from '../../domain/units.js';
import type { Report } from '../../domain/report.js';
import type { Block, SlackMessage } from './blocks.js';
import { capBlocks, context, divider, header, section } from './build.js';
import { escapeMrkdwn, inlineCode, slackDate } from './escape.js';
import { findingsBlocks } from './findings.js';
import { LIMITS, truncate } from './limits.js';
import { kindLabel, verdictText } from './verdict.js';

export interface ReportFrame {
  /** Blocks between the verdict and the findings. */
  body?: Block[];
  /** The verdict's word when nothing is wrong, e.g. `healthy`. */
  okWord?: string;
  /** mrkdwn, escaped: where to see everything when findings are left out. */
  hint?: string;
}

/** `etcd.check · started … · took …`: the last block of every report message. */
export function reportFooter(report: Report): Block {
  const started = Date.parse(report.startedAt);
  const took = Date.parse(report.finishedAt) - started;
  const parts = [inlineCode(report.kind)];
  if (Number.isFinite(started)) parts.push(`started ${slackDate(started)}`);
  if (Number.isFinite(took) && took >= 0) parts.push(`took ${formatDuration(took)}`);
  return context(parts.join(' · '));
}

/** `etcd check of prod: ▲ 2 warnings` — escaped, for notifications. */
export function reportFallback(report: Report, okWord?: string): string {
  const text = `${kindLabel(report.kind)} of ${report.cluster}`;
  return truncate(`${escapeMrkdwn(text)}: ${verdictText(report, okWord)}`, LIMITS.fallbackText);
}

export function reportMessage(report: Report, frame: ReportFrame = {}): SlackMessage {
  const top: Block[] = [
    // Header text is plain_text: Slack parses no mentions there, so it is not escaped.
    header(`${kindLabel(report.kind)} of ${report.cluster}`),
    section(`*${verdictText(report, frame.okWord)}*`),
  ];
  const body = frame.body ?? [];
  const head = [...top, ...body, divider()];
  const budget = LIMITS.blocks - head.length - 1;
  const findings = findingsBlocks(report.findings, budget, frame.hint);
  return {
    text: reportFallback(report, frame.okWord),
    blocks: capBlocks([...head, ...findings, reportFooter(report)]),
  };
}

/** Any report, by its findings alone: the fallback for kinds without their own renderer. */
export function genericReportMessage(report: Report): SlackMessage {
  return reportMessage(report);
}
