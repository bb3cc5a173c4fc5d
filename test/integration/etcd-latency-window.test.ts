/**
 * Disk latency judged on a recent window, against a real etcd member and a real Redis:
 * a member whose lifetime histograms are slow (a slow boot) but whose recent writes
 * are fast has no latency warning, and a second check's window starts at the sample
 * the first one kept in Redis (in the operation and through the worker).
 */
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcd3Connector } from '../../src/clients/etcd3-member.js';
import { thresholdsSchema } from '../../src/config/schema.js';
import type { EtcdCheckReport, LatencySample } from '../../src/domain/etcd.js';
import { checkEtcd } from '../../src/operations/etcd/check.js';
import type { EtcdConnector } from '../../src/operations/etcd/client.js';
import { readLatencySample } from '../../src/operations/etcd/metrics.js';
import {
  LATENCY_SAMPLE_TTL_MS,
  latencySampleKey,
  latencySampleStore,
} from '../../src/state/latency-samples.js';
import { enqueueJob } from '../../src/transport/queue/enqueue.js';
import type { JobSummary } from '../../src/transport/queue/job-data.js';
import { startTestServers, type TestServers } from '../support/test-servers.js';
import {
  startTestRuntime,
  testConfig,
  uniquePrefix,
  waitForJob,
  type TestRuntime,
} from '../e2e/harness.js';

// This machine's disk is slow (fsyncs of tens of ms): warn and crit high enough that real
// writes never cross them, and a minimum a couple of seconds of writes reach.
const THRESHOLDS = {
  walFsyncP99Warn: 5_000,
  walFsyncP99Crit: 8_000,
  backendCommitP99Warn: 5_000,
  backendCommitP99Crit: 8_000,
  latencyMinObservations: 10,
};
const thresholds = thresholdsSchema.parse(THRESHOLDS);

/**
 * A slow boot: the member's real /metrics with 1000 extra observations above 8.192 s
 * (the `+Inf` bucket) in both histograms, from the start. Lifetime p99: 8192 ms, above crit.
 */
const SLOW =
  /^(etcd_disk_(?:wal_fsync|backend_commit)_duration_seconds_(?:bucket\{le="\+Inf"\}|count)) (\S+)$/gm;
const slowBoot = (text: string) =>
  text.replace(SLOW, (_, name: string, v: string) => `${name} ${Number(v) + 1_000}`);
const slowBootConnector: EtcdConnector = (endpoint, metricsUrl) => {
  const real = etcd3Connector({})(endpoint, metricsUrl);
  return new Proxy(real, {
    get(target, key) {
      if (key === 'metrics') return (d: number) => target.metrics(d).then(slowBoot);
      const v: unknown = Reflect.get(target, key);
      return typeof v === 'function' ? (v as () => unknown).bind(target) : v;
    },
  });
};

let servers: TestServers;
beforeAll(async () => {
  servers = await startTestServers({ etcdMembers: 1 });
});
afterAll(async () => {
  await servers?.close();
});

/** Real writes, one every 40 ms for `ms`: WAL fsyncs and (every 100 ms batch) backend commits. */
async function writeFor(ms: number): Promise<void> {
  const kv = new Etcd3({ hosts: servers.etcd.endpoints });
  try {
    const end = Date.now() + ms;
    for (let i = 0; Date.now() < end; i++) {
      await kv.put(`latency/${i}`).value('x');
      await new Promise((r) => setTimeout(r, 40));
    }
  } finally {
    kv.close();
  }
}

const latency = <F extends { id: string }>(r: { findings: F[] }) =>
  r.findings.filter((f) => f.id.startsWith('etcd.latency'));
const window = (r: EtcdCheckReport) => r.data.probes[0]?.metrics?.window;

describe('etcd check latency from a recent window (real etcd, real Redis)', () => {
  it('a member slow at boot and fast now has no latency warning: only the window is judged', async () => {
    const prefix = uniquePrefix('latency');
    const store = latencySampleStore(servers.client, prefix, 'slow-boot');
    const input = {
      cluster: 'slow-boot',
      endpoints: servers.etcd.endpoints,
      timeoutMs: 5_000,
      thresholds,
    };
    const first = await checkEtcd(slowBootConnector, input);
    const memberId = first.data.probes[0]!.status!.memberId;
    // What the old rules judged: the lifetime p99, above crit.
    expect(first.data.probes[0]!.metrics!.walFsyncP99Ms).toBeGreaterThan(8_000);
    expect(first.data.probes[0]!.metrics!.backendCommitP99Ms).toBeGreaterThan(8_000);
    expect(latency(first).map((f) => f.severity)).toEqual(['info']);

    // A sample kept from before a restart: counts far above today's. Useless: the check
    // measures its own window and says why.
    const real = readLatencySample(
      slowBoot(await (await fetch(`${servers.etcd.endpoints[0]}/metrics`)).text()),
      1,
    );
    const before: LatencySample = { ...real, walFsync: { ...real.walFsync!, count: 1e9 } };
    await store.save(memberId, before);
    const afterRestart = await checkEtcd(slowBootConnector, { ...input, latencySamples: store });
    expect(window(afterRestart)).toMatchObject({
      base: 'this-check',
      note: expect.stringMatching(/restarted/),
    });
    expect(latency(afterRestart).map((f) => [f.id, f.severity])).toEqual([
      ['etcd.latency.few-observations', 'info'],
    ]);
    const kept = await store.previous(memberId);
    expect(kept?.at).toBe(window(afterRestart)!.to);

    await writeFor(2_500);
    const next = await checkEtcd(slowBootConnector, { ...input, latencySamples: store });
    const w = window(next)!;
    expect(w).toMatchObject({ base: 'previous-check', from: kept!.at });
    expect(w.to - w.from).toBeGreaterThanOrEqual(2_500);
    expect(w.walFsync.observations).toBeGreaterThanOrEqual(10);
    expect(w.backendCommit.observations).toBeGreaterThanOrEqual(10);
    // The lifetime is still 8 s slow; the verdict is the window's.
    expect(next.data.probes[0]!.metrics!.walFsyncP99Ms).toBeGreaterThan(8_000);
    const found = latency(next);
    expect(found.map((f) => [f.id, f.severity])).toEqual([['etcd.latency', 'ok']]);
    expect(found[0]!.title).toMatch(/^Disk latency p99 over the last \d+\.\ds: WAL fsync/);
    expect(found[0]!.detail).toMatch(/since the previous check/);
  }, 60_000);
});

describe('the worker keeps each member’s sample in Redis for the next check', () => {
  let worker: TestRuntime;
  const prefix = uniquePrefix('latency-worker');
  beforeAll(async () => {
    const config = testConfig(
      {
        clusters: [{ name: 'c1', etcd: { endpoints: servers.etcd.endpoints } }],
        check: { thresholds: THRESHOLDS },
      },
      servers.env,
    );
    worker = await startTestRuntime(config, { prefix, clusters: ['c1'], concurrency: 1 });
  });
  afterAll(() => worker?.close());

  const runCheck = async (requestId: string) => {
    const { jobId } = await enqueueJob(worker.runtime.queues, {
      cluster: 'c1',
      kind: 'etcd.check',
      requestedBy: 'U1',
      target: { kind: 'terminal' },
      requestId,
    });
    const job = await waitForJob(worker.runtime.queues.queue('c1'), jobId, ['completed', 'failed']);
    expect(job.failedReason).toBeUndefined();
    return job.returnvalue as JobSummary;
  };

  it('a second check’s window is the time between the two checks', async () => {
    await runCheck('lat-1');
    const keys = await servers.client.keys(`${prefix}:etcd:latency-sample:c1:*`);
    expect(keys).toHaveLength(1);
    const ttl = await servers.client.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(LATENCY_SAMPLE_TTL_MS - 60_000);
    const firstAt = (JSON.parse((await servers.client.get(keys[0]!))!) as LatencySample).at;
    const memberId = keys[0]!.split(':').at(-1)!;
    expect(keys[0]).toBe(latencySampleKey(prefix, 'c1', memberId));

    await writeFor(2_500);
    const second = await runCheck('lat-2');
    const secondAt = (JSON.parse((await servers.client.get(keys[0]!))!) as LatencySample).at;
    const found = latency(second);
    expect(found.map((f) => [f.id, f.severity])).toEqual([['etcd.latency', 'ok']]);
    // The window named in the title is the time between the two checks' samples.
    const seconds = Number(/over the last (\d+\.\d)s/.exec(found[0]!.title)?.[1]);
    expect(seconds).toBeCloseTo((secondAt - firstAt) / 1_000, 0);
    expect(seconds).toBeGreaterThanOrEqual(2.5);
  }, 60_000);
});
