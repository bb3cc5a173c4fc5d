/**
 * One delivery attempt of an outbox message: chat.postMessage or chat.update through
 * the outbox's WebClient (which has already waited out 429s and retried what it could),
 * the posted message's ts kept under its ref, the call counted. A failure comes back
 * classified (slack-failure.ts) for the consumer to retry or dead-letter.
 */
import type { Redis } from 'ioredis';
import type { OutboxMessage } from '../../domain/outbox-message.js';
import type { RuntimeMetrics } from '../http/metrics.js';
import { classifySlackError, type SlackFailure } from '../slack/slack-failure.js';
import type { WebClient } from '../slack/web-client.js';
import { storeRef } from './outbox-refs.js';

export type Delivery = { ok: true } | { ok: false; method: string; failure: SlackFailure };

export interface DeliverDeps {
  slack: WebClient;
  connection: Redis;
  prefix: string;
  metrics: RuntimeMetrics;
}

export async function deliver(message: OutboxMessage, deps: DeliverDeps): Promise<Delivery> {
  const method = message.op === 'post' ? 'chat.postMessage' : 'chat.update';
  let ts: string | undefined;
  try {
    ts = await call(message, deps.slack);
  } catch (err) {
    deps.metrics.slackCalls.inc({ method, outcome: 'error' });
    return { ok: false, method, failure: classifySlackError(err) };
  }
  deps.metrics.slackCalls.inc({ method, outcome: 'ok' });
  // Outside the try: a Redis error here is no Slack failure (the drain job fails and retries).
  if (message.op === 'post' && message.ref && ts) {
    await storeRef(deps.connection, deps.prefix, message.ref, ts);
  }
  return { ok: true };
}

/** The Slack call; the posted message's ts. */
async function call(message: OutboxMessage, slack: WebClient): Promise<string | undefined> {
  if (message.op === 'post') {
    const res = await slack.chat.postMessage({
      channel: message.channel,
      text: message.text,
      thread_ts: message.threadTs,
      ...(message.blocks ? { blocks: message.blocks as never } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    return res.ts;
  }
  await slack.chat.update({
    channel: message.channel,
    ts: message.ts as string,
    text: message.text,
    ...(message.blocks ? { blocks: message.blocks as never } : {}),
  });
  return undefined;
}
