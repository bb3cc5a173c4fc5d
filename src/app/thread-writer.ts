/**
 * Writing into one Slack conversation through the outbox: posts (into the thread
 * when the address has one, by ts or by the ref of its not-yet-posted root) and
 * edits of a message posted under a ref. The runbook engine and the alert threads
 * both write this way.
 */
import type { SlackMessage } from '../render/block-kit/index.js';
import type { OutboxWriter } from '../domain/outbox-message.js';

export interface ThreadAddress {
  channel: string;
  /** The thread's root: its ts, or the ref it is posted under. Neither: the channel itself. */
  ts?: string;
  ref?: string;
}

export interface ThreadWriter {
  /** `ref`: keep this message's ts under that name, for later edits and replies. */
  post(id: string, message: SlackMessage, ref?: string): Promise<boolean>;
  edit(ref: string, id: string, message: SlackMessage, final?: boolean): Promise<boolean>;
}

export function threadWriter(outbox: OutboxWriter, at: ThreadAddress): ThreadWriter {
  return {
    post: (id, m, ref) =>
      outbox.push({
        op: 'post',
        id,
        channel: at.channel,
        threadTs: at.ts,
        threadRef: at.ref,
        text: m.text,
        blocks: m.blocks,
        ...(ref ? { ref } : {}),
      }),
    edit: (ref, id, m, final = false) =>
      outbox.push({
        op: 'update',
        id,
        channel: at.channel,
        ref,
        text: m.text,
        blocks: m.blocks,
        final,
      }),
  };
}
