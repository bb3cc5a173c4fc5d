/**
 * Steady work for a failover test: an etcd check of cluster `c1` every 50 ms, each
 * reporting into a thread of its own channel (the outbox paces per channel), and an
 * Alertmanager notification of a new group every 300 ms, spread over `lanes` routed
 * channels and re-sent until answered 202, as Alertmanager does. Each is noted with the
 * time the test saw it acknowledged (the enqueue returned; the webhook said 202).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import type { JobQueues } from '../../src/transport/queue/queues.js';
import { alertPayload, sendAlert } from './alertmanager.js';
import type { SlackApi } from './slack-api.js';

export interface Load {
  jobs: { jobId: string; channel: string; ts: string; ackedAt: number }[];
  alerts: { name: string; ackedAt: number }[];
  /** Stops sending and waits for what is in flight. */
  stop(): Promise<void>;
}

export interface LoadOptions {
  queues: JobQueues;
  slack: SlackApi;
  /** Quorum's HTTP base (the webhook). */
  base: string;
  token: string;
  lanes: number;
}

const JOB_EVERY_MS = 50;
const ALERT_EVERY_MS = 300;

export function startLoad(o: LoadOptions): Load {
  const load: Omit<Load, 'stop'> = { jobs: [], alerts: [] };
  let stopped = false;
  const jobs = (async () => {
    for (let i = 0; !stopped; i++) {
      const channel = `C0JOB${i}`;
      const ts = await postRoot(o.slack, channel);
      const { jobId } = await enqueueJob(o.queues, {
        kind: 'etcd.check',
        cluster: 'c1',
        requestId: `sentinel-${i}`,
        requestedBy: 'U0SENT',
        target: { kind: 'slack', channel, threadTs: ts, rootTs: ts },
      });
      load.jobs.push({ jobId, channel, ts, ackedAt: Date.now() });
      await sleep(JOB_EVERY_MS);
    }
  })();
  const alerts = (async () => {
    const sending: Promise<void>[] = [];
    for (let i = 0; !stopped; i++) {
      const name = `Probe${String(i).padStart(4, '0')}`;
      const body = alertPayload(name, [{ alertname: name, labels: { lane: String(i % o.lanes) } }]);
      sending.push(
        untilAccepted(o, body).then(() => void load.alerts.push({ name, ackedAt: Date.now() })),
      );
      await sleep(ALERT_EVERY_MS);
    }
    await Promise.all(sending);
  })();
  return {
    ...load,
    stop: async () => {
      stopped = true;
      await Promise.all([jobs, alerts]);
    },
  };
}

async function postRoot(slack: SlackApi, channel: string): Promise<string> {
  const res = await fetch(`${slack.url}chat.postMessage`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ channel, text: 'etcd check of c1…' }),
  });
  return ((await res.json()) as { ts: string }).ts;
}

/** Alertmanager's way: re-send the same notification until it is accepted. */
async function untilAccepted(o: LoadOptions, body: unknown): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const status = await Promise.race([
      sendAlert(o.base, body, o.token).then((r) => r.status),
      sleep(10_000, 0),
    ]).catch(() => 0);
    if (status === 202) return;
    await sleep(500);
  }
  throw new Error('an alert was not accepted within about two minutes');
}
