/**
 * The playground's server side without a browser: what it sends Quorum (here a stand-in
 * that checks Slack's signature and Alertmanager's bearer token), what it refuses, and
 * its event stream.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playgroundRoutes } from '../../demo/playground.js';
import { readBody, startSlackApi, type SlackApi } from '../support/slack-api.js';

const SECRET = 'playground-test-secret';
const TOKEN = 'playground-test-alert-token';
const USERS = [
  { id: 'U0ALICE', name: 'alice', role: 'asks' },
  { id: 'U0BOB', name: 'bob', role: 'approves' },
];

interface Received {
  path: string;
  body: string;
  signed: boolean;
  auth?: string;
}
const received: Received[] = [];
let quorum: Server;
let slack: SlackApi;
let base: string;

const verify = (body: string, ts: string, sig: string) => {
  const want = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return want.length === sig.length && timingSafeEqual(Buffer.from(want), Buffer.from(sig));
};

beforeAll(async () => {
  quorum = createServer((req, res) => {
    void readBody(req).then((body) => {
      const signed = verify(
        body,
        String(req.headers['x-slack-request-timestamp']),
        String(req.headers['x-slack-signature']),
      );
      received.push({ path: req.url ?? '', body, signed, auth: req.headers.authorization });
      if (req.url === '/alerts/alertmanager') return void res.writeHead(202).end();
      const ack = { response_type: 'ephemeral', text: 'ack for *you*' };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(ack));
    });
  });
  await new Promise<void>((resolve) => quorum.listen(0, '127.0.0.1', resolve));
  const address = quorum.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  slack = await startSlackApi({
    routes: playgroundRoutes({
      quorum: () => ({
        base: `http://127.0.0.1:${port}`,
        signingSecret: SECRET,
        alertToken: TOKEN,
        channel: 'C0DEMO',
      }),
      users: USERS,
      channel: { id: 'C0DEMO', name: 'ops-demo' },
      cluster: 'demo',
      info: () => ({}),
    }),
  });
  base = slack.url.replace(/\/api\/$/, '');
});

afterAll(async () => {
  await slack?.close();
  await new Promise((resolve) => quorum?.close(resolve));
});

const post = (path: string, body: unknown, type = 'application/json') =>
  fetch(`${base}/playground/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': type },
  });

describe('the playground server', () => {
  it('serves the page with a strict CSP, and neither page nor script holds a secret', async () => {
    const page = await fetch(`${base}/playground`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = await (await fetch(`${base}/playground/playground.js`)).text();
    for (const text of [await page.text(), script]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN);
    }
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('signs a slash command with the secret and shows the ack as an ephemeral', async () => {
    const res = await post('command', { user: 'U0ALICE', text: '/etcd-check  demo ' });
    expect(await res.json()).toMatchObject({ ok: true, status: 200 });
    const sent = received.at(-1)!;
    expect(sent).toMatchObject({ path: '/slack/events', signed: true });
    const form = new URLSearchParams(sent.body);
    expect(form.get('command')).toBe('/etcd-check');
    expect(form.get('text')).toBe('demo');
    expect(form.get('user_id')).toBe('U0ALICE');
    expect(form.get('channel_id')).toBe('C0DEMO');
    expect(form.get('response_url')).toBe(`${base}/playground/respond/U0ALICE`);
    expect(slack.ephemerals('C0DEMO').at(-1)).toMatchObject({
      user: 'U0ALICE',
      text: 'ack for *you*',
    });
  });

  it('signs a button click as block_actions from the chosen user', async () => {
    const click = { messageTs: '1.000002', actionId: 'approval.approve', value: 'ap1' };
    await post('action', { user: 'U0BOB', ...click, blockId: 'approval.ap1' });
    const sent = received.at(-1)!;
    expect(sent.signed).toBe(true);
    const payload = JSON.parse(new URLSearchParams(sent.body).get('payload')!) as {
      user: { id: string };
      actions: { action_id: string; value: string; block_id: string }[];
      container: { message_ts: string };
    };
    expect(payload.user.id).toBe('U0BOB');
    expect(payload.actions[0]).toMatchObject({ action_id: 'approval.approve', value: 'ap1' });
    expect(payload.container.message_ts).toBe('1.000002');
  });

  it('fires the sample alert with the bearer token', async () => {
    expect(await (await post('alert', { user: 'U0BOB' })).json()).toMatchObject({ status: 202 });
    const sent = received.at(-1)!;
    expect(sent.auth).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(sent.body)).toMatchObject({ version: '4', status: 'firing' });
  });

  it('refuses what a page of ours would not send, telling the user about unknown commands', async () => {
    const count = received.length;
    expect((await post('command', { user: 'U0ALICE', text: '/x' }, 'text/plain')).status).toBe(415);
    expect((await post('command', { user: 'U0MALLORY', text: '/etcd-check' })).status).toBe(400);
    await post('command', { user: 'U0ALICE', text: '/deploy <prod>' });
    expect(received.length).toBe(count);
    expect(slack.ephemerals().at(-1)!.text).toContain('`/deploy` is not a command Quorum has');
  });

  it('streams the backlog after Last-Event-ID, then live events', async () => {
    const read = async (lastId?: number) => {
      const controller = new AbortController();
      const res = await fetch(`${base}/playground/events`, {
        headers: lastId ? { 'Last-Event-ID': String(lastId) } : {},
        signal: controller.signal,
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      // Until the stream has been quiet for a moment: the backlog is sent at once.
      for (;;) {
        const next = reader.read();
        next.catch(() => undefined); // rejected by abort() once we stop reading
        const chunk = await Promise.race([next, sleep(300).then(() => undefined)]);
        if (!chunk || chunk.done) break;
        text += new TextDecoder().decode(chunk.value);
      }
      controller.abort();
      return text;
    };
    const all = await read();
    expect(all).toMatch(/^id: 1\nevent: hello\n/m);
    expect(all).toContain('event: ephemeral');
    const ids = [...all.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    const later = await read(ids.at(-2));
    expect(later).not.toContain('event: hello');
    expect([...later.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual(ids.slice(-1));
  });
});
