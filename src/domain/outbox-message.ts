/**
 * Messages in the Slack outbox, and the ordered stream each belongs to. Posts into
 * one thread (or one channel, when they have no thread) form one stream, delivered
 * in order; edits of one message form another, in which only the newest is sent.
 * Streams of one channel take turns (first come, first served; urgent ones first).
 *
 * A message not yet posted can be named by a *ref*: a post with `ref` has its ts kept
 * under that name once Slack answers, and later posts (`threadRef`) and edits (`ref`)
 * wait for it. So an alert's root, its thread and a checklist's edits can all be
 * queued at once by a process that never learns a ts itself.
 */

interface Common {
  /** Unique per message; a second push with the same id is ignored (retried jobs). */
  id: string;
  channel: string;
  text: string;
  /** Block Kit blocks; `text` stays the notification and fallback text. */
  blocks?: unknown[];
  /** When it was pushed (ms); a ref that stays unknown for long is given up on. */
  at?: number;
  /**
   * Takes its channel's turns in the urgent lane, before every non-urgent stream (first
   * come, first served within a lane): an incident's state change, not thread chatter.
   * An edit stream is urgent while any of its pending edits is.
   */
  urgent?: boolean;
}

/** chat.postMessage, into `threadTs` when given. */
export interface PostMessage extends Common {
  op: 'post';
  threadTs?: string;
  /** Into the thread of the message posted with this ref (when `threadTs` is not known). */
  threadRef?: string;
  /** Keep this message's ts under this name, for later `threadRef` posts and `ref` edits. */
  ref?: string;
}

/** chat.update of message `ts`. A final edit is never replaced by a later progress edit. */
export interface UpdateMessage extends Common {
  op: 'update';
  /** The message to edit: its ts, or the ref it was posted with. */
  ts?: string;
  ref?: string;
  final: boolean;
}

export type OutboxMessage = PostMessage | UpdateMessage;

/** `post.C024BE91L.1700000000.123456`, `post.C024BE91L.-`, `edit.C024BE91L.1700000000.123456`. */
export function streamOf(message: OutboxMessage): string {
  const tail =
    message.op === 'post'
      ? (message.threadTs ?? (message.threadRef ? `ref-${message.threadRef}` : '-'))
      : (message.ts ?? `ref-${message.ref ?? '-'}`);
  const kind = message.op === 'post' ? 'post' : 'edit';
  return `${kind}.${safe(message.channel)}.${safe(tail)}`;
}

export function isEditStream(stream: string): boolean {
  return stream.startsWith('edit.');
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** Where the reporter and the workflows write; the Outbox implements it, tests may record instead. */
export interface OutboxWriter {
  /** False when not queued: a repeated id, or a progress edit after the final one. */
  push(message: OutboxMessage): Promise<boolean>;
}
