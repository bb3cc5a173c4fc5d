/**
 * Block builders that enforce Slack's limits: every mrkdwn text object is verbatim
 * (no automatic links or mentions) and cut to size. Callers escape what they put in.
 */
import type {
  Block,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  Mrkdwn,
  PlainText,
  SectionBlock,
  SlackMessage,
} from './blocks.js';
import { escapeCode } from './escape.js';
import { LIMITS, truncate } from './limits.js';

/** Slack refuses empty text objects. */
const nonEmpty = (text: string) => (text.trim() ? text : '—');

export function plain(text: string, max: number): PlainText {
  return { type: 'plain_text', text: truncate(nonEmpty(text), max), emoji: true };
}

export function md(text: string, max: number = LIMITS.sectionText): Mrkdwn {
  return { type: 'mrkdwn', text: truncate(nonEmpty(text), max), verbatim: true };
}

/** A header is plain text: Slack parses no mentions or links in it. */
export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, LIMITS.header) };
}

export function section(mrkdwn: string): SectionBlock {
  return { type: 'section', text: md(mrkdwn) };
}

/** A message that is one mrkdwn section, its text also the notification. */
export function textMessage(mrkdwn: string): SlackMessage {
  return { text: mrkdwn, blocks: [section(mrkdwn)] };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

export function context(...mrkdwn: string[]): ContextBlock {
  return {
    type: 'context',
    elements: mrkdwn.slice(0, LIMITS.contextElements).map((t) => md(t, LIMITS.contextText)),
  };
}

/**
 * Sections of at most 10 fields each, every field cut to 2000 characters; `heading`
 * (mrkdwn) is the first section's text.
 */
export function fieldSections(fields: readonly string[], heading?: string): SectionBlock[] {
  const out: SectionBlock[] = [];
  for (let i = 0; i < fields.length; i += LIMITS.fields) {
    const chunk = fields.slice(i, i + LIMITS.fields).map((f) => md(f, LIMITS.fieldText));
    out.push({
      type: 'section',
      ...(i === 0 && heading ? { text: md(heading) } : {}),
      fields: chunk,
    });
  }
  return out;
}

const FENCE = '```';

/** `code` (raw text, escaped here) as a ``` block, cut to fit a section with `before`. */
export function codeText(code: string, before = '', max: number = LIMITS.sectionText): string {
  const room = max - before.length - 2 * FENCE.length - 2;
  return `${before}${FENCE}\n${truncate(escapeCode(code), room)}\n${FENCE}`;
}

/**
 * At most 50 blocks: when there are more, the last kept block says how many were
 * left out. Renderers plan to stay under the limit; this is the final guard.
 */
export function capBlocks(blocks: Block[], hint = ''): Block[] {
  if (blocks.length <= LIMITS.blocks) return blocks;
  const kept = blocks.slice(0, LIMITS.blocks - 1);
  const left = blocks.length - kept.length;
  return [...kept, context(`_…${left} more block${left === 1 ? '' : 's'} left out.${hint}_`)];
}
