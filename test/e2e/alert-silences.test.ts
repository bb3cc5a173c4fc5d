/**
 * Silences from an incident thread, end to end: the bot (webhook, alert consumer, Bolt)
 * in this process with real Redis, the local Slack Web API, and Debian's real
 * Alertmanager — one plain (QUORUM_ALERTMANAGER_URL), one behind basic auth and TLS (a
 * route's own alertmanager block) — and a route whose Alertmanager never answers.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIncident } from '../../src/state/incidents.js';
import { readAudit } from '../../src/state/audit.js';
import { alertPayload, sendAlert } from '../support/alertmanager.js';
import {
  startAlertmanager,
  type AlertmanagerServer,
  type AlertmanagerSilence,
} from '../support/alertmanager-process.js';
import { cleanEnv } from '../support/cli.js';
import {
  freePort,
  sharedCerts,
  startRedis,
  startSilentServer,
  tmpDir,
  waitFor,
  type RedisServer,
  type SilentServer,
} from '../support/index.js';
import { startQuorumBot, type QuorumBot } from '../support/quorum-bot.js';
import { startSlackApi, type SlackApi } from '../support/slack-api.js';
import { blockActionBody, postSigned } from '../support/slack-request.js';

const SECRET = 'silences-signing-secret';
const TOKEN = 'alertmanager-bearer-token-silences';
const CHANNEL = 'C0SILENCE';
const PREFIX = 'quorum';
const PASSWORD = 'quorum-silence-password';
/** bcrypt of PASSWORD (Alertmanager's web config keeps only the hash); made with crypt(3). */
const PASSWORD_HASH = '$2b$04$2Z0mYneq0hUiBC.foIWiF.HoWQPxBnFkyM7f7R62a3BtfdTlyrP6G';

let redis: RedisServer;
let slack: SlackApi;
let plain: AlertmanagerServer;
let secure: AlertmanagerServer;
let blackhole: SilentServer;
let bot: QuorumBot;

beforeAll(async () => {
  const certs = await sharedCerts();
  [redis, slack, plain, secure, blackhole] = await Promise.all([
    startRedis(),
    startSlackApi(),
    startAlertmanager(),
    startAlertmanager({
      tls: certs,
      basicAuth: { username: 'quorum', password: PASSWORD, bcryptHash: PASSWORD_HASH },
    }),
    startSilentServer(),
  ]);
  const route = (team: string, alertmanager: Record<string, unknown>) => ({
    match: { team },
    channel: CHANNEL,
    alertmanager,
  });
  const tlsConfig = { caFile: certs.ca };
  const file = path.join(await tmpDir('quorum-silences-'), 'config.json');
  // JSON is YAML: the config file as an operator would write it.
  await writeFile(
    file,
    JSON.stringify({
      alertmanager: { timeout: '1s' },
      alerts: {
        routes: [
          route('secure', {
            url: secure.url,
            basicAuth: { username: 'quorum', password: PASSWORD },
            tlsConfig,
          }),
          route('badauth', {
            url: secure.url,
            basicAuth: { username: 'quorum', password: 'not-the-password' },
            tlsConfig,
          }),
          route('blackhole', { url: blackhole.url }),
        ],
      },
    }),
  );
  bot = await startQuorumBot(
    cleanEnv({
      QUORUM_CONFIG: file,
      QUORUM_CLUSTER: 'prod',
      QUORUM_SNAPSHOT_DIR: await tmpDir('quorum-silence-snaps-'),
      REDIS_URL: redis.url,
      SLACK_BOT_TOKEN: 'xoxb-silences',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      QUORUM_APPROVERS: 'U0BOB,U0CAROL',
      QUORUM_ALERT_CHANNEL: CHANNEL,
      QUORUM_ALERT_TOKEN: TOKEN,
      QUORUM_ALERTMANAGER_URL: plain.url,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
    }),
    { clusters: [], outboxIntervalMs: 40 },
  );
}, 60_000);

afterAll(async () => {
  await bot?.close();
  await Promise.all([
    slack?.close(),
    redis?.close(),
    plain?.close(),
    secure?.close(),
    blackhole?.close(),
  ]);
});

const rootOf = async (alertname: string) => {
  const find = () => slack.messages(CHANNEL).find((m) => !m.threadTs && m.text.includes(alertname));
  await waitFor(() => Promise.resolve(find() !== undefined), { what: `the root of ${alertname}` });
  return () => find()!;
};
const blocksOf = (m: { blocks?: unknown }) => JSON.stringify(m.blocks ?? []);
const groupKeyOf = (group: string) => alertPayload(group, [])['groupKey'];

const click = async (
  actionId: string,
  group: string,
  root: { ts: string },
  user = 'U0BOB',
  userName = 'bob',
) => {
  const before = slack.calls('response').length;
  const res = await postSigned(
    bot.base,
    blockActionBody({
      actionId,
      value: groupKeyOf(group),
      userId: user,
      userName,
      messageTs: root.ts,
      channel: CHANNEL,
      blockId: 'incident.silence',
      responseUrl: `${slack.url}response`,
    }),
    SECRET,
  );
  expect(res.status).toBe(200);
  return before;
};
/** The ephemeral answers posted to the response_url since `before`. */
const answersSince = (before: number) =>
  slack
    .calls('response')
    .slice(before)
    .map((c) => JSON.stringify(c.body))
    .join('\n');
const waitAnswer = async (before: number, what: string) => {
  await waitFor(() => Promise.resolve(slack.calls('response').length > before), { what });
  return answersSince(before);
};

const ofGroup = (silences: AlertmanagerSilence[], group: string) =>
  silences.filter((s) => s.matchers.some((m) => m.name === 'group' && m.value === group));
const openIncident = async (
  group: string,
  alertname: string,
  labels: Record<string, string> = {},
) => {
  const payload = alertPayload(group, [{ alertname, labels }]);
  expect((await sendAlert(bot.base, payload, TOKEN)).status).toBe(202);
  const root = await rootOf(alertname);
  await waitFor(() => Promise.resolve(blocksOf(root()).includes('incident.silence.1h')), {
    what: 'the silence buttons on the root',
  });
  return { payload, root };
};

describe('silences from the thread', () => {
  it('Silence 1h creates a silence on exactly the group labels; Expire expires it', async () => {
    const { root } = await openIncident('disk-silence', 'DiskSilence', { instance: 'node-a:9100' });
    const buttons = blocksOf(root());
    for (const label of ['Silence 1h', 'Silence 4h', 'Silence until resolved'])
      expect(buttons).toContain(label);

    const started = Date.now();
    await click('incident.silence.1h', 'disk-silence', root());
    await waitFor(async () => ofGroup(await plain.silences(), 'disk-silence').length > 0, {
      what: 'the silence in Alertmanager',
    });
    const [silence] = ofGroup(await plain.silences(), 'disk-silence');
    expect(silence!.status.state).toBe('active');
    // The group's labels exactly (groupLabels: { group }), equal, not regex.
    expect(silence!.matchers).toEqual([
      { name: 'group', value: 'disk-silence', isRegex: false, isEqual: true },
    ]);
    expect(silence!.createdBy).toBe('bob');
    const permalink = `https://quorum-test.slack.com/archives/${CHANNEL}/p${root().ts.replace('.', '')}`;
    expect(silence!.comment).toContain(permalink);
    expect(silence!.comment).toContain('DiskSilence');
    const hours = (Date.parse(silence!.endsAt) - started) / 3_600_000;
    expect(hours).toBeGreaterThan(0.98);
    expect(hours).toBeLessThan(1.02);

    await waitFor(() => Promise.resolve(blocksOf(root()).includes('Silenced* by <@U0BOB>')), {
      what: 'the root showing who silenced it',
    });
    expect(blocksOf(root())).toContain('incident.silence.expire');
    expect(blocksOf(root())).toMatch(/until <!date\^\d+\^/);
    expect(blocksOf(root())).not.toContain('incident.silence.1h');

    await click('incident.silence.expire', 'disk-silence', root(), 'U0CAROL', 'carol');
    await waitFor(
      async () =>
        ofGroup(await plain.silences(), 'disk-silence').every((s) => s.status.state === 'expired'),
      { what: 'the silence expired in Alertmanager' },
    );
    await waitFor(() => Promise.resolve(blocksOf(root()).includes('incident.silence.1h')), {
      what: 'the root offering silences again',
    });
    expect(blocksOf(root())).not.toContain('Silenced*');
    const audit = await readAudit(bot.deps.redis, PREFIX);
    const mine = audit.filter((e) => e.params?.silenceId === silence!.id);
    expect(mine.map((e) => [e.type, e.who, e.outcome])).toEqual([
      ['silence.created', 'U0BOB', 'created'],
      ['silence.expired', 'U0CAROL', 'expired'],
    ]);
  }, 60_000);

  it('"until resolved" is expired when the group resolves', async () => {
    const { payload, root } = await openIncident('etcd-silence', 'EtcdSilence');
    await click('incident.silence.resolved', 'etcd-silence', root());
    await waitFor(
      async () =>
        ofGroup(await plain.silences(), 'etcd-silence').some((s) => s.status.state === 'active'),
      { what: 'the silence until resolved' },
    );
    await waitFor(() => Promise.resolve(blocksOf(root()).includes('until the alerts resolve')), {
      what: 'the root showing the silence until resolved',
    });
    const resolved = alertPayload('etcd-silence', [{ alertname: 'EtcdSilence' }], {
      status: 'resolved',
    });
    expect(resolved.groupKey).toBe(payload.groupKey);
    expect((await sendAlert(bot.base, resolved, TOKEN)).status).toBe(202);
    await waitFor(
      async () =>
        ofGroup(await plain.silences(), 'etcd-silence').every((s) => s.status.state === 'expired'),
      { what: 'the silence expired on resolve' },
    );
    await waitFor(() => Promise.resolve(!blocksOf(root()).includes('Silenced*')), {
      what: 'the resolved root without the silence',
    });
    expect(root().text).toMatch(/Resolved/);
    expect(blocksOf(root())).not.toContain('incident.silence.1h');
    const audit = await readAudit(bot.deps.redis, PREFIX);
    expect(
      audit.some(
        (e) => e.type === 'silence.expired' && e.who === 'quorum' && e.outcome === 'resolved',
      ),
    ).toBe(true);
  }, 60_000);

  it('refuses whoever is not a silencer, ephemerally, and creates nothing', async () => {
    const { root } = await openIncident('eve-silence', 'EveSilence');
    const before = await click('incident.silence.4h', 'eve-silence', root(), 'U0EVE', 'eve');
    expect(await waitAnswer(before, 'the refusal')).toMatch(/Only silencers/);
    expect(answersSince(before)).toContain('"response_type":"ephemeral"');
    expect(ofGroup(await plain.silences(), 'eve-silence')).toHaveLength(0);
    expect(blocksOf(root())).not.toContain('Silenced*');
  }, 30_000);

  it('a double click makes one silence', async () => {
    const { root } = await openIncident('double-silence', 'DoubleSilence');
    const before = slack.calls('response').length;
    await Promise.all([
      click('incident.silence.1h', 'double-silence', root()),
      click('incident.silence.4h', 'double-silence', root(), 'U0CAROL', 'carol'),
    ]);
    await waitFor(() => Promise.resolve(slack.calls('response').length > before), {
      what: 'the second click told',
    });
    expect(answersSince(before)).toMatch(/is silencing this incident right now|Already silenced/);
    await waitFor(() => Promise.resolve(blocksOf(root()).includes('Silenced* by')), {
      what: 'the root showing the silence',
    });
    expect(ofGroup(await plain.silences(), 'double-silence')).toHaveLength(1);
  }, 30_000);

  it('basic auth and TLS from the route reach the secured Alertmanager; wrong credentials are refused', async () => {
    const ok = await openIncident('secure-silence', 'SecureSilence', { team: 'secure' });
    await click('incident.silence.1h', 'secure-silence', ok.root());
    await waitFor(async () => ofGroup(await secure.silences(), 'secure-silence').length === 1, {
      what: 'the silence in the secured Alertmanager',
    });
    expect(ofGroup(await plain.silences(), 'secure-silence')).toHaveLength(0);

    const bad = await openIncident('badauth-silence', 'BadAuthSilence', { team: 'badauth' });
    const before = await click('incident.silence.1h', 'badauth-silence', bad.root());
    const told = await waitAnswer(before, 'the refusal');
    expect(told).toContain('ALERTMANAGER_REFUSED');
    expect(told).toContain('HTTP 401');
    expect(told).not.toContain('not-the-password');
    expect(ofGroup(await secure.silences(), 'badauth-silence')).toHaveLength(0);
  }, 30_000);

  it('an Alertmanager that never answers: an ephemeral error within the timeout, nothing changed', async () => {
    const { root } = await openIncident('down-silence', 'DownSilence', { team: 'blackhole' });
    const key = groupKeyOf('down-silence');
    const stored = await readIncident(bot.deps.redis, PREFIX, key);
    const rootBefore = blocksOf(root());
    const started = Date.now();
    const before = await click('incident.silence.1h', 'down-silence', root());
    const told = await waitAnswer(before, 'the error');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(told).toContain('ALERTMANAGER_UNREACHABLE');
    expect(told).toMatch(/no answer within 1000 ms/);
    expect(told).toContain('QUORUM_ALERTMANAGER_URL');
    const after = await readIncident(bot.deps.redis, PREFIX, key);
    expect(after?.silence).toBeUndefined();
    expect(after?.silenceClaim).toBeUndefined();
    expect({ ...after, version: 0 }).toEqual({ ...stored, version: 0 });
    expect(blocksOf(root())).toBe(rootBefore);
    // The claim was given back: the next click tries again (and is told again).
    const again = await click('incident.silence.1h', 'down-silence', root());
    expect(await waitAnswer(again, 'the second error')).toContain('ALERTMANAGER_UNREACHABLE');
  }, 30_000);
});
