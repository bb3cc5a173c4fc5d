/**
 * Writing into one Slack conversation through the outbox: posts (into the thread
 * when the address has one, by ts or by the ref of its not-yet-posted root) and
 * edits of a message posted under a ref. The runbook engine and the alert threads
 * both write this way. An urgent edit (an incident's state change on its root) takes
 * the channel's turns before thread chatter.
 */
import type { SlackMessage } from '../render/block-kit/index.js';
import type { OutboxWriter } from '../domain/outbox-message.js';

export interface ThreadAddress {
  channel: string;
  /** The thread's root: its ts, or the ref it is posted under. Neither: the channel itself. */
  ts?: string;
  ref?: string;
}

export interface EditOptions {
  /** Never replaced by a later progress edit. */
  final?: boolean;
  /** Sent before the channel's non-urgent messages (outbox-message.ts). */
  urgent?: boolean;
}

export interface ThreadWriter {
  /** `ref`: keep this message's ts under that name, for later edits and replies. */
  post(id: string, message: SlackMessage, ref?: string): Promise<boolean>;
  /** `options`: a boolean is `final`. */
  edit(
    ref: string,
    id: string,
    message: SlackMessage,
    options?: boolean | EditOptions,
  ): Promise<boolean>;
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
    edit: (ref, id, m, options = {}) => {
      const { final = false, urgent = false } =
        typeof options === 'boolean' ? { final: options } : options;
      return outbox.push({
        op: 'update',
        id,
        channel: at.channel,
        ref,
        text: m.text,
        blocks: m.blocks,
        final,
        ...(urgent ? { urgent } : {}),
      });
    },
  };
}
