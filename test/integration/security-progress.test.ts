/**
 * The security audit says what changed since the last one (issue 22), against a real etcd,
 * a real Redis and the Kubernetes API test server:
 * - the job kept in Redis: the first audit on record, then — one extra cluster-admin's
 *   binding deleted, a privileged pod added — `1 fixed since <day> · 1 new · N still open`;
 *   a retry of that job after it kept its run (its report never recorded) says the same,
 *   not `0 fixed · 0 new`, and the next audit compares with what the retry kept;
 * - through the real processor and the Slack double, as a weekly schedule posts it: the
 *   channel message's text ends with the line and its first block after the header is it;
 * - the built `quorum security audit --since FILE`: output starts with the line; a file that
 *   cannot be read, is not JSON, is another kind's or another cluster's report → exit 3, a
 *   message naming what is wrong, and no audit (no call reaches the Kubernetes API).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { realCliDeps } from '../../src/deps.js';
import type { SecurityAuditReport } from '../../src/domain/security.js';
import type { SecurityHistory } from '../../src/domain/security-progress.js';
import { progressLine } from '../../src/operations/security/progress.js';
import { securityHistoryKey, securityHistoryStore } from '../../src/state/security-history.js';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import type { JobContext } from '../../src/transport/queue/job-kind.js';
import { securityAuditJob } from '../../src/transport/queue/security-jobs.js';
import { cleanEnv, quorumBin } from '../support/cli.js';
import { kube, startKubeApi, tmpDir, type KubeApiServer } from '../support/index.js';
import { startTestServers, type TestServers } from '../support/test-servers.js';
import { startWorkerRig, testConfig, uniquePrefix, waitForJob } from '../e2e/harness.js';

const ADMIN_TITLE =
  /^1 subject is cluster-admin besides the defaults: ServiceAccount ci\/deployer$/;

/** One extra cluster-admin (ci/deployer), no pod with host access, `default` without PSA. */
function seed(api: KubeApiServer): void {
  api.store.add(
    kube.clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
    kube.clusterRoleBinding('cluster-admin', 'cluster-admin', [
      { kind: 'Group', name: 'system:masters' },
    ]),
    kube.clusterRoleBinding('ci-admin', 'cluster-admin', [
      { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
    ]),
    kube.namespace('default'),
    kube.namespace('kube-system'),
    kube.pod({ name: 'web-1', namespace: 'default' }),
  );
}

/** The fix (the extra cluster-admin's binding deleted) and the new problem (a privileged pod). */
function fixOneBreakOne(api: KubeApiServer): void {
  expect(api.store.delete('ClusterRoleBinding', 'ci-admin')).toBe(true);
  api.store.add(kube.pod({ name: 'debug', namespace: 'default', privileged: true }));
}

const open = (r: Pick<SecurityAuditReport, 'findings'>) =>
  r.findings.filter((f) => f.severity === 'crit' || f.severity === 'warn');
const day = (iso: string) => new Date(iso).toISOString().slice(0, 10);

let servers: TestServers;
beforeAll(async () => {
  servers = await startTestServers({ etcdMembers: 1, slack: true });
}, 60_000);
afterAll(() => servers?.close());

describe('the security.audit job keeps its run in Redis and compares with the last one', () => {
  let api: KubeApiServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    api = await startKubeApi();
    seed(api);
    env = cleanEnv({ ...servers.etcd.env, KUBECONFIG: api.kubeconfig, QUORUM_CLUSTER: 'prod' });
  });
  afterAll(() => api?.close());

  /** The context a worker builds, by hand: the real clients and the real history store. */
  function ctx(jobId: string, history: SecurityHistory): JobContext {
    const config = loadConfig(env);
    const cluster = config.clusters[0]!;
    const deps = realCliDeps(env);
    const unused = (what: string) => () => {
      throw new Error(`the audit does not use ${what}`);
    };
    return {
      config,
      cluster,
      connect: deps.etcdConnector(cluster),
      kube: () => deps.kubeConnector(cluster),
      backup: unused('Velero'),
      snapshots: unused('the snapshot store'),
      requestedBy: 'schedule security.audit',
      jobId,
      progress: () => undefined,
      securityHistory: history,
    };
  }
  const audit = async (jobId: string, history: SecurityHistory) =>
    (await securityAuditJob.run(ctx(jobId, history), {})) as SecurityAuditReport;

  it('first audit, then 1 fixed · 1 new; a retry after its run was kept says the same', async () => {
    const prefix = uniquePrefix('sec-progress');
    const history = securityHistoryStore(servers.client, prefix);

    const first = await audit('security.audit@week-1', history);
    expect(first.couldNotRun).toBeUndefined();
    expect(open(first).map((f) => f.title)).toContainEqual(expect.stringMatching(ADMIN_TITLE));
    expect(first.findings.find((f) => f.id === 'security.pods.host-access')?.severity).toBe('ok');
    const opened = open(first).length;
    expect(progressLine(first.data.progress!)).toBe(`first audit on record: ${opened} open`);

    fixOneBreakOne(api);
    const line = `1 fixed since ${day(first.finishedAt)} · 1 new · ${opened - 1} still open`;
    // Attempt 1 keeps its run, then its worker dies before the report is recorded.
    const attempt1 = await audit('security.audit@week-2', history);
    expect(progressLine(attempt1.data.progress!)).toBe(line);
    expect(open(attempt1)).toHaveLength(opened);
    expect(await servers.client.hget(securityHistoryKey(prefix, 'prod'), 'jobId')).toBe(
      'security.audit@week-2',
    );
    // The retry (same job id) finds its own run kept: it compares with week 1 again.
    const retry = await audit('security.audit@week-2', history);
    expect(progressLine(retry.data.progress!)).toBe(line);
    expect(retry.data.progress!.fixed.map((f) => f.title)).toEqual([
      expect.stringMatching(ADMIN_TITLE),
    ]);
    expect(retry.data.progress!.opened.map((f) => f.id)).toEqual(['security.pods.host-access']);

    // The next week's audit compares with what the retry kept.
    const third = await audit('security.audit@week-3', history);
    expect(progressLine(third.data.progress!)).toBe(
      `0 fixed since ${day(retry.finishedAt)} · 0 new · ${opened} still open`,
    );
  }, 60_000);
});

describe('a scheduled audit through the worker posts the line in its channel', () => {
  let api: KubeApiServer;
  beforeAll(async () => {
    api = await startKubeApi();
    seed(api);
  });
  afterAll(() => api?.close());

  it('the channel message of each week says what changed since the last', async () => {
    const config = testConfig(
      {
        clusters: [
          { name: 'c1', etcd: { endpoints: servers.etcd.endpoints }, kubeconfig: api.kubeconfig },
        ],
        check: { timeout: '5s' },
      },
      servers.env,
    );
    const r = await startWorkerRig(config, 'sec-sched');
    try {
      r.startWorker();
      const queue = r.rt.runtime.queues.queue('c1');
      // As a schedule enqueues it: into the channel, no root message, no thread.
      const week = async (n: number) => {
        const { jobId } = await enqueueJob(r.rt.runtime.queues, {
          kind: 'security.audit',
          cluster: 'c1',
          requestId: `schedule-week-${n}`,
          requestedBy: 'schedule security.audit',
          target: { kind: 'slack', channel: 'C0SEC' },
        });
        const job = await waitForJob(queue, jobId, ['completed', 'failed'], 60_000);
        expect(await job.getState()).toBe('completed');
      };
      await week(1);
      await expect.poll(() => servers.slack.messages('C0SEC').length, { timeout: 15_000 }).toBe(1);
      const firstText = servers.slack.messages('C0SEC')[0]!.text;
      const opened = Number(/— first audit on record: (\d+) open$/.exec(firstText)?.[1]);
      expect(opened).toBeGreaterThan(1);

      fixOneBreakOne(api);
      await week(2);
      await expect.poll(() => servers.slack.messages('C0SEC').length, { timeout: 15_000 }).toBe(2);
      const second = servers.slack.messages('C0SEC')[1]!;
      const today = new Date().toISOString().slice(0, 10);
      expect(second.text).toMatch(/^security audit of c1: /);
      expect(second.text).toMatch(
        new RegExp(
          `— 1 fixed since (${today}|\\d{4}-\\d{2}-\\d{2}) · 1 new · ${opened - 1} still open$`,
        ),
      );
      const blocks = second.blocks as { type: string; text?: { text: string } }[];
      expect(blocks[0]?.type).toBe('header');
      expect(blocks[1]?.text?.text.split('\n')[0]).toMatch(/^\*1 fixed since .* still open\*$/);
      expect(second.threadTs).toBeUndefined();
    } finally {
      await r.close();
    }
  }, 120_000);
});

describe('quorum security audit --since FILE (the built binary)', () => {
  let api: KubeApiServer;
  let vars: Record<string, string>;
  let dir: string;
  beforeAll(async () => {
    api = await startKubeApi();
    seed(api);
    vars = { ...servers.etcd.env, KUBECONFIG: api.kubeconfig, QUORUM_CLUSTER: 'prod' };
    dir = await tmpDir('quorum-since-');
  });
  afterAll(() => api?.close());

  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('opens with what changed since the earlier --json report', async () => {
    const before = await quorumBin(['security', 'audit', '--json'], vars);
    expect(before.stderr).toBe('');
    const earlier = JSON.parse(before.stdout) as SecurityAuditReport;
    expect(earlier.data.progress).toBeUndefined();
    const prev = file('prod.json', before.stdout);

    fixOneBreakOne(api);
    const run = await quorumBin(['security', 'audit', '--since', prev], vars);
    expect(run.stderr).toBe('');
    expect(run.code).toBeGreaterThan(0);
    const lines = run.stdout.split('\n');
    const line = `1 fixed since ${day(earlier.finishedAt)} · 1 new · ${open(earlier).length - 1} still open`;
    expect(lines[0]).toBe(line);
    expect(lines[1]).toMatch(/^ {2}fixed: {5}1 subject is cluster-admin besides the defaults/);
    expect(lines[2]).toMatch(/^ {2}new: {7}1 workload outside kube-system runs privileged/);
    expect(lines[4]).toMatch(/^[✖▲] security audit of prod: /);

    const json = await quorumBin(['security', 'audit', '--since', prev, '--json'], vars);
    const now = JSON.parse(json.stdout) as SecurityAuditReport;
    expect(now.data.progress?.since).toBe(earlier.finishedAt);
    expect(now.data.progress?.opened.map((f) => f.id)).toEqual(['security.pods.host-access']);
  }, 60_000);

  it('refuses a wrong file with exit 3, says what is wrong, and runs no audit', async () => {
    const good = JSON.parse((await quorumBin(['security', 'audit', '--json'], vars)).stdout) as {
      cluster: string;
    };
    const cases: [string, RegExp][] = [
      [path.join(dir, 'missing.json'), /--since .*missing\.json: cannot be read \(ENOENT\)\./],
      [file('half.json', '{"kind": "security.audit", '), /--since .*half\.json: not JSON/],
      [
        file('check.json', JSON.stringify({ kind: 'etcd.check', cluster: 'prod', findings: [] })),
        /--since .*check\.json: a report of kind etcd\.check, not a security audit report/,
      ],
      [
        file('staging.json', JSON.stringify({ ...good, cluster: 'staging' })),
        /--since .*staging\.json: the audit of cluster staging, not of prod\./,
      ],
      [
        file('shape.json', JSON.stringify({ ...good, findings: [{ id: 'x', severity: 'bad' }] })),
        /--since .*shape\.json: not a security audit report: findings\.0\.severity/,
      ],
    ];
    for (const [p, message] of cases) {
      const seen = api.requests.length;
      const run = await quorumBin(['security', 'audit', '--since', p], vars);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('quorum security audit --cluster prod --json > FILE');
      expect(api.requests.length).toBe(seen);
    }
  }, 120_000);
});
