/**
 * `npm run demo` in a real browser: the built demo (dist/demo/main.js) with its etcd
 * cluster, Redis, playground and `quorum start`, driven by playwright-core through
 * Debian's chromium. Screenshots go to test-artifacts/ (git-ignored).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ServerProcess, tmpDir, waitFor } from '../support/index.js';

const CHROMIUM = '/usr/bin/chromium';
const DEMO = path.resolve(import.meta.dirname, '../../dist/demo/main.js');
const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');
/** ../shared/spec/stack.md: what headless Chromium needs here (as root, offline). */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SLOW = 45_000;

let demo: ServerProcess;
let url: string;
let dir: string;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (bash .ci/run does)`);
  }
  if (!existsSync(DEMO)) throw new Error(`${DEMO} is missing: run npm run build first`);
  demo = new ServerProcess(process.execPath, [DEMO], {
    env: { ...process.env, PORT: String(await freePort()), LOG_LEVEL: 'warn' },
    name: 'npm run demo',
  });
  await waitFor(
    () => {
      if (!demo.running) throw new Error(`the demo exited: ${demo.describe()}`);
      return Promise.resolve(/Open http:\/\/\S+/.test(demo.logs()));
    },
    { what: 'the demo to print its URL', timeoutMs: 60_000, context: () => demo.logs() },
  );
  url = /Open (http:\/\/\S+)/.exec(demo.logs())![1]!;
  dir = /snapshots in (\S+)/.exec(demo.logs())![1]!;
  context = await chromium.launchPersistentContext(await tmpDir('chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.locator('#status[data-state="live"]').waitFor();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await demo?.kill();
});

const send = async (command: string) => {
  await page.fill('#command', command);
  await page.press('#command', 'Enter');
};
/** A root message by its ts, so it is found again after edits change its text. */
const root = (ts: string) => page.locator(`article.root[data-ts="${ts}"]`);
const ownText = (message: Locator) => message.locator(':scope > .content > .blocks').innerText();
const tsOf = async (message: Locator) => (await message.getAttribute('data-ts'))!;
const screenshot = async (name: string) => {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, name) });
};

describe('the playground in Chromium', () => {
  it('/etcd-snapshot: a root message, edited live to done, the verified snapshot in its thread', async () => {
    await send('/etcd-snapshot');
    const first = page.locator('article.root', { hasText: 'etcd snapshot of demo' }).first();
    await first.waitFor();
    const message = root(await tsOf(first));
    await message
      .locator('.thread article.reply', { hasText: 'saved and verified' })
      .waitFor({ timeout: SLOW });
    await waitFor(async () => /✔ done|warning/.test(await ownText(message)), {
      what: 'the root message edited to its outcome',
    });
    expect(await message.locator('.edited').count()).toBe(1);
    // Block Kit fields and mrkdwn: bold labels, inline code, the requester as a mention.
    const reply = message.locator('.thread article.reply').first();
    expect(await reply.locator('.bk-fields strong', { hasText: 'Revision' }).count()).toBe(1);
    expect(await reply.locator('.bk-fields code').count()).toBeGreaterThan(0);
    expect(await message.locator('.mention').first().innerText()).toBe('@alice');
  });

  it('four eyes: alice asks for a defrag, cannot approve it herself; bob approves; the result follows', async () => {
    await send('/etcd-defrag');
    const request = page.locator('article.root', { hasText: 'Approval needed' }).last();
    await request.waitFor();
    const message = root(await tsOf(request));
    await message.getByRole('button', { name: 'Approve' }).click();
    const refusal = page.locator('article.ephemeral', { hasText: 'someone else has to approve' });
    await refusal.waitFor();

    await page.selectOption('#user', 'U0BOB');
    await refusal.waitFor({ state: 'detached' }); // alice's ephemeral is not bob's to see
    await message.getByRole('button', { name: 'Approve' }).click();
    await waitFor(async () => /Approved by @bob/.test(await ownText(message)), {
      what: 'the request edited to approved',
      timeoutMs: SLOW,
    });
    expect(await message.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await message
      .locator('.thread article.reply', { hasText: /defrag/i })
      .waitFor({ timeout: SLOW });
    await screenshot('playground.png');
  });

  it('shows what a user typed as text, never as markup', async () => {
    await send('/etcd-check <img src=x onerror=alert(1)><b>bold</b>');
    await page.locator('.note', { hasText: '/etcd-check <img src=x' }).waitFor();
    // Quorum's usage answer quotes the input back (escaped for mrkdwn; the page decodes it).
    await page.locator('article.ephemeral', { hasText: 'onerror=alert(1)><b>bold</b>' }).waitFor();
    expect(await page.locator('#timeline img, #timeline b:text("bold")').count()).toBe(0);
  });

  it('Fire sample alert: an incident thread that walks its runbook', async () => {
    await page.click('#fire-alert');
    const incident = page.locator('article.root', { hasText: 'etcdDatabaseQuotaLowSpace' }).last();
    await incident.waitFor({ timeout: SLOW });
    await incident.locator('.thread article.reply').first().waitFor({ timeout: SLOW });
    await screenshot('playground-alert.png');
  });

  it('Ctrl-C (SIGTERM) stops everything and removes the temporary directory', async () => {
    expect(existsSync(dir)).toBe(true);
    const exit = await demo.stop(30_000);
    expect(exit.code).toBe(0);
    expect(demo.logs()).toContain('temporary files removed');
    expect(existsSync(dir)).toBe(false);
  });
});
