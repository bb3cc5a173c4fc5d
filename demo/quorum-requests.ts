/**
 * What the playground sends to Quorum on the page's behalf, exactly as Slack and
 * Alertmanager would: slash commands and button clicks as signed form posts to
 * /slack/events (the signing secret stays in this process, never in the page), and
 * an Alertmanager v4 notification with the bearer token to /alerts/alertmanager.
 */
import { randomUUID } from 'node:crypto';
import { alertPayload, sendAlert } from '../test/support/alertmanager.js';
import { blockActionBody, signSlack, slashCommandBody } from '../test/support/slack-request.js';

export interface DemoUser {
  id: string;
  name: string;
  /** What the page says about them, e.g. "requester". */
  role: string;
}

export interface QuorumTarget {
  /** `http://127.0.0.1:PORT` of Quorum's HTTP listener. */
  base: string;
  signingSecret: string;
  alertToken: string;
  channel: string;
  /** Where Quorum should post answers for `user` (a response_url). */
  responseUrl(user: DemoUser): string;
}

/** Quorum's answer: the HTTP status, and the JSON body when there is one (an ack's message). */
export interface QuorumAnswer {
  status: number;
  body?: { text?: string; blocks?: unknown };
}

async function postSigned(target: QuorumTarget, body: string): Promise<QuorumAnswer> {
  const res = await fetch(`${target.base}/slack/events`, {
    method: 'POST',
    body,
    headers: signSlack(body, { secret: target.signingSecret }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed: QuorumAnswer['body'];
  try {
    parsed = text ? (JSON.parse(text) as QuorumAnswer['body']) : undefined;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}

/** `/etcd-check prod` → command `/etcd-check`, text `prod`. */
export function sendCommand(
  target: QuorumTarget,
  user: DemoUser,
  command: string,
  text: string,
): Promise<QuorumAnswer> {
  const body = slashCommandBody({
    command,
    text,
    user_id: user.id,
    user_name: user.name,
    channel_id: target.channel,
    response_url: target.responseUrl(user),
    trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}.trigger`,
  });
  return postSigned(target, body);
}

export interface Click {
  messageTs: string;
  threadTs?: string;
  actionId: string;
  value: string;
  blockId?: string;
}

export function sendClick(target: QuorumTarget, user: DemoUser, click: Click) {
  const body = blockActionBody({
    ...click,
    userId: user.id,
    userName: user.name,
    channel: target.channel,
    responseUrl: target.responseUrl(user),
  });
  return postSigned(target, body);
}

/** A firing etcdDatabaseQuotaLowSpace in a fresh group, so every click opens a new incident. */
export async function sendSampleAlert(target: QuorumTarget, cluster: string): Promise<number> {
  const payload = alertPayload(`demo-${Date.now()}`, [
    {
      alertname: 'etcdDatabaseQuotaLowSpace',
      labels: { cluster, job: 'etcd', severity: 'critical' },
      annotations: {
        summary: 'etcd cluster database is running full.',
        description: `etcd cluster "${cluster}": database size exceeds the defined quota on 1 of 3 members.`,
        runbook_url:
          'https://runbooks.prometheus-operator.dev/runbooks/etcd/etcddatabasequotalowspace',
      },
      startsAt: new Date().toISOString(),
    },
  ]);
  const { status } = await sendAlert(target.base, payload, target.alertToken);
  return status;
}
