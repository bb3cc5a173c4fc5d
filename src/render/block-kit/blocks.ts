/**
 * The part of Slack's Block Kit Quorum emits, declared here because render/ imports
 * nothing from Slack's packages (lint). Each type is a subset of @slack/types' own
 * (`KnownBlock`); test/unit/block-kit checks that they stay assignable.
 */
export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
  /** Always true here: Slack must not auto-link or auto-parse mentions in our text. */
  verbatim?: boolean;
}

export type TextObject = PlainText | Mrkdwn;

export interface HeaderBlock {
  type: 'header';
  block_id?: string;
  text: PlainText;
}

export interface SectionBlock {
  type: 'section';
  block_id?: string;
  text?: TextObject;
  fields?: TextObject[];
}

export interface ContextBlock {
  type: 'context';
  block_id?: string;
  elements: TextObject[];
}

export interface DividerBlock {
  type: 'divider';
  block_id?: string;
}

export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: PlainText;
  value?: string;
  style?: 'primary' | 'danger';
}

export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: ButtonElement[];
}

export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | ActionsBlock;

/** What chat.postMessage / chat.update take: blocks, and text for notifications and screen readers. */
export interface SlackMessage {
  /** Plain fallback, already escaped: it is shown in notifications. */
  text: string;
  blocks: Block[];
}
