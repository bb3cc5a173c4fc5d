/**
 * The playground page renders mrkdwn as Slack does, in Debian's chromium (playwright-core):
 * `:emoji:` shortcodes as emoji (unknown ones left as typed), and code — inline or in a
 * block — verbatim, never bold, italic, struck or emojified. The messages reach the page
 * as Quorum's do: posted to the local Slack Web API, streamed by the playground's routes.
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playgroundRoutes } from '../../demo/playground.js';
import { jobFailureMessage, type SlackMessage } from '../../src/render/block-kit/index.js';
import { failureText, progressText } from '../../src/transport/queue/report-message.js';
import { tmpDir } from '../support/index.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'];
const CHANNEL = 'C0DEMO';

let slack: SlackApi;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (bash .ci/run does)`);
  }
  slack = await startSlackApi({
    routes: playgroundRoutes({
      quorum: () => undefined,
      users: [{ id: 'U0ALICE', name: 'alice', role: 'asks' }],
      channel: { id: CHANNEL, name: 'ops-demo' },
      cluster: 'demo',
      info: () => ({}),
    }),
  });
  context = await chromium.launchPersistentContext(await tmpDir('chromium-mrkdwn'), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${slack.url.replace(/\/api\/$/, '')}/playground`);
  await page.locator('#status[data-state="live"]').waitFor();
}, 60_000);

afterAll(async () => {
  await context?.close();
  await slack?.close();
});

/** Posts as Quorum does and answers the message as the page shows it. */
async function shown(message: SlackMessage | string) {
  const body = typeof message === 'string' ? { text: message } : message;
  const res = await fetch(`${slack.url}chat.postMessage`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer xoxb-test' },
    body: JSON.stringify({ channel: CHANNEL, ...body }),
  });
  const { ts } = (await res.json()) as { ts: string };
  const el = page.locator(`article.root[data-ts="${ts}"] .content`);
  await el.waitFor();
  return el;
}

describe('the playground renders what Slack renders', () => {
  it("shows Quorum's shortcodes as emoji, and leaves an unknown code as typed", async () => {
    const failed = await shown(
      jobFailureMessage('etcd snapshot of prod', { code: 'X', message: 'boom' }),
    );
    expect(await failed.locator('.bk-section').first().innerText()).toMatch(/^❌ etcd snapshot/);
    const retry = await shown(failureText('etcd check of prod', 'no member answered', 2_000));
    expect(await retry.innerText()).toMatch(/⚠️ etcd check of prod: attempt failed/);
    const progress = await shown(progressText('etcd snapshot', { step: 'streaming' }));
    expect(await progress.innerText()).toMatch(/⏳ etcd snapshot: streaming/);
    const unknown = await shown('still :no_such_emoji: here, and :white_check_mark: done');
    expect(await unknown.innerText()).toMatch(/still :no_such_emoji: here, and ✅ done/);
    const header = await shown({
      text: 'header',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: ':rotating_light: Fire', emoji: true },
        },
      ],
    });
    expect(await header.locator('.bk-header').innerText()).toBe('🚨 Fire');
  });

  it('shows inline code and code blocks verbatim: no bold, italic, strike or emoji inside', async () => {
    const el = await shown(
      'keys `/registry/*` and `a_b_c` and `~x~` and `:x:` — *run `get /a*` now* ~gone~\n```\n*not bold* _not italic_ :x:\n```',
    );
    const code = await el.locator('.mrkdwn code').allInnerTexts();
    expect(code).toEqual(['/registry/*', 'a_b_c', '~x~', ':x:', 'get /a*']);
    // The one bold span holds its code span whole; the star inside the code closes nothing.
    expect(await el.locator('strong').allInnerTexts()).toEqual(['run get /a* now']);
    expect(await el.locator('strong code').innerText()).toBe('get /a*');
    expect(await el.locator('em').count()).toBe(0);
    expect(await el.locator('s').allInnerTexts()).toEqual(['gone']);
    expect(await el.locator('pre.code-block').innerText()).toBe('*not bold* _not italic_ :x:');
  });
});
