/**
 * Which Alertmanager a group's silences go to, from the config as loaded: the route's
 * block, else the cluster's, else the top level (QUORUM_ALERTMANAGER_URL); silencers
 * (QUORUM_SILENCERS); and the root's silence part for each state.
 */
import { describe, expect, it } from 'vitest';
import { alertmanagerFor } from '../../src/app/incidents/alertmanager-target.js';
import { loadConfig } from '../../src/config/load.js';
import { QuorumError } from '../../src/domain/errors.js';
import type { IncidentView } from '../../src/domain/incident.js';
import { incidentRootMessage } from '../../src/render/block-kit/index.js';

const withFile = (yaml: string, env: Record<string, string> = {}) =>
  loadConfig({ QUORUM_CONFIG: '/etc/quorum/config.yaml', ...env }, () => yaml);

const FILE = `
alertmanager:
  timeout: 2s
clusters:
  - name: prod
    etcd: { endpoints: [http://10.0.0.1:2379] }
    alertmanager:
      url: https://am-prod:9093
      authorization: { type: Bearer, credentials: prod-token }
      tlsConfig: { caFile: /etc/quorum/am-ca.crt }
  - name: dev
    etcd: { endpoints: [http://10.0.0.2:2379] }
alerts:
  routes:
    - match: { team: storage }
      channel: C0STORAGE
      alertmanager:
        basicAuth: { username: quorum, password: storage-pw }
`;

describe('the Alertmanager of a group', () => {
  it('takes the route, then the cluster, then the top level; the url falls back to the top level', () => {
    const c = withFile(FILE, { QUORUM_ALERTMANAGER_URL: 'http://am:9093' });
    expect(alertmanagerFor(c, { cluster: 'prod', team: 'storage' })).toEqual({
      url: 'http://am:9093',
      timeoutMs: 2_000,
      basicAuth: { username: 'quorum', password: 'storage-pw' },
    });
    expect(alertmanagerFor(c, { cluster: 'prod' })).toEqual({
      url: 'https://am-prod:9093',
      timeoutMs: 2_000,
      bearerToken: 'prod-token',
      tls: { caFile: '/etc/quorum/am-ca.crt', insecureSkipVerify: false },
    });
    expect(alertmanagerFor(c, { cluster: 'dev' })).toEqual({
      url: 'http://am:9093',
      timeoutMs: 2_000,
    });
  });

  it('without any url there is no Alertmanager, and so no silence buttons', () => {
    const c = withFile(FILE.replace('url: https://am-prod:9093', ''));
    expect(alertmanagerFor(c, { cluster: 'dev' })).toBeUndefined();
    expect(alertmanagerFor(loadConfig({}), {})).toBeUndefined();
  });

  it('refuses two kinds of credentials at once, and snake_case keys', () => {
    const both = () =>
      withFile(
        `alertmanager: { url: http://am:9093, bearerToken: t, basicAuth: { username: a, password: b } }`,
      );
    expect(both).toThrow(QuorumError);
    expect(both).toThrow(/set one of authorization, bearerToken or basicAuth/);
    expect(() => withFile(`alertmanager: { url: http://am:9093, bearer_token: t }`)).toThrow(
      /bearer_token/,
    );
  });

  it('QUORUM_ALERTMANAGER_TOKEN is the top-level bearer token (the Helm chart passes it from its Secret)', () => {
    const config = loadConfig({
      QUORUM_ALERTMANAGER_URL: 'http://am:9093',
      QUORUM_ALERTMANAGER_TOKEN: 'am-api-token',
    });
    expect(config.alertmanager?.bearerToken).toBe('am-api-token');
  });

  it('silencers come from QUORUM_SILENCERS; unset they are the approvers', () => {
    expect(loadConfig({ QUORUM_SILENCERS: 'U0ANN, S0ONCALL' }).alerts.silencers).toEqual([
      'U0ANN',
      'S0ONCALL',
    ]);
    expect(loadConfig({ QUORUM_APPROVERS: 'U0BOB' }).alerts.silencers).toBeUndefined();
    expect(() => loadConfig({ QUORUM_SILENCERS: 'bob' })).toThrow(/QUORUM_SILENCERS/);
  });
});

const view = (over: Partial<IncidentView> = {}): IncidentView => ({
  status: 'firing',
  commonLabels: { alertname: 'DiskFull', severity: 'warning' },
  commonAnnotations: {},
  truncatedAlerts: 0,
  firstFiringAt: 0,
  alerts: [],
  groupKey: '{}:{group="disk"}',
  silenceable: true,
  ...over,
});
const actions = (v: IncidentView, now = 1_000) =>
  incidentRootMessage(v, now)
    .blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []))
    .map((e) => `${e.text.text}=${e.value ?? ''}`);

describe('the root’s silence part', () => {
  it('offers three silences while firing, none when not silenceable or resolved', () => {
    expect(actions(view())).toEqual([
      'Silence 1h={}:{group="disk"}',
      'Silence 4h={}:{group="disk"}',
      'Silence until resolved={}:{group="disk"}',
    ]);
    expect(actions(view({ silenceable: undefined }))).toEqual([]);
    expect(actions(view({ status: 'resolved', resolvedAt: 500 }))).toEqual([]);
  });

  it('an active silence shows who and until when, with Expire; a past one does not', () => {
    const silence = { id: 's1', by: 'U0BOB', endsAt: 3_600_000, untilResolved: false };
    const text = JSON.stringify(incidentRootMessage(view({ silence }), 1_000).blocks);
    expect(text).toContain('Silenced* by <@U0BOB> until <!date^3600^');
    expect(actions(view({ silence }))).toEqual(['Expire silence={}:{group="disk"}']);
    expect(actions(view({ silence }), 3_600_000)).toHaveLength(3);
  });
});
