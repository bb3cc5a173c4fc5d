/**
 * The Redis keys of the Slack outbox (transport/queue/outbox*.ts keeps its scripts
 * and logic; every key is built here). Per stream: a list of pending messages, its
 * generation and its final-edit marker; per message id, a dedup marker; per channel,
 * the next-allowed time and the turn queue (turnKeys); per ref, the ts of the message
 * posted with it.
 */

export interface OutboxKeys {
  list: string;
  gen: string;
  final: string;
}

export function outboxKeys(prefix: string, stream: string): OutboxKeys {
  const base = `${prefix}:outbox:${stream}`;
  return { list: `${base}:q`, gen: `${base}:gen`, final: `${base}:final` };
}

/** The SCAN pattern of every stream's list, and how to read the stream back from a key. */
export function outboxListPattern(prefix: string): {
  match: string;
  streamOf(key: string): string;
} {
  const head = `${prefix}:outbox:`;
  const tail = ':q';
  return { match: `${head}*${tail}`, streamOf: (key) => key.slice(head.length, -tail.length) };
}

export const seenKey = (prefix: string, id: string) => `${prefix}:outbox:id:${id}`;
export const paceKey = (prefix: string, channel: string) => `${prefix}:outbox:pace:${channel}`;
export const refKey = (prefix: string, ref: string) => `${prefix}:outbox:ref:${ref}`;

/**
 * A channel's turn queue (transport/queue/outbox-turns.ts): the streams waiting to send,
 * scored by lane then ticket; when each was last refreshed by its drain; the ticket
 * counter; and the next-allowed time (paceKey).
 */
export interface TurnKeys {
  queue: string;
  alive: string;
  ticket: string;
  pace: string;
}

export function turnKeys(prefix: string, channel: string): TurnKeys {
  // Not ending in `:q`: the sweep's pattern (outboxListPattern) must not see it as a stream.
  const base = `${prefix}:outbox:turn:${channel}`;
  return {
    queue: `${base}:queue`,
    alive: `${base}:alive`,
    ticket: `${base}:ticket`,
    pace: paceKey(prefix, channel),
  };
}
