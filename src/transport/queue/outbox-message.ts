/**
 * Messages in the Slack outbox, and the ordered stream each belongs to. Posts into
 * one thread (or one channel, when they have no thread) form one stream, delivered
 * in order; edits of one message form another, in which only the newest is sent.
 */

interface Common {
  /** Unique per message; a second push with the same id is ignored (retried jobs). */
  id: string;
  channel: string;
  text: string;
  /** Block Kit blocks; `text` stays the notification and fallback text. */
  blocks?: unknown[];
}

/** chat.postMessage, into `threadTs` when given. */
export interface PostMessage extends Common {
  op: 'post';
  threadTs?: string;
}

/** chat.update of message `ts`. A final edit is never replaced by a later progress edit. */
export interface UpdateMessage extends Common {
  op: 'update';
  ts: string;
  final: boolean;
}

export type OutboxMessage = PostMessage | UpdateMessage;

/** `post.C024BE91L.1700000000.123456`, `post.C024BE91L.-`, `edit.C024BE91L.1700000000.123456`. */
export function streamOf(message: OutboxMessage): string {
  const tail = message.op === 'post' ? (message.threadTs ?? '-') : message.ts;
  const kind = message.op === 'post' ? 'post' : 'edit';
  return `${kind}.${safe(message.channel)}.${safe(tail)}`;
}

export function isEditStream(stream: string): boolean {
  return stream.startsWith('edit.');
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
