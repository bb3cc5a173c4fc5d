/**
 * How Quorum reads lists and rides out a busy API server, against the Kubernetes API test
 * server: pages of 500 followed to the end, an expired continue token (410) restarting the
 * list once and then reported, and 429 / 5xx answers retried after the server's Retry-After,
 * within the call's deadline, while other errors fail at once.
 */
import { beforeAll, afterAll, beforeEach, describe, expect, it } from 'vitest';
import { kubeClient } from '../../src/clients/kube.js';
import type { KubeClient } from '../../src/operations/kube/client.js';
import {
  continueExpired,
  kubeStatus,
  startKubeApi,
  type KubeApiServer,
  type RecordedRequest,
} from '../support/kube-api.js';
import { seedLargeCluster } from '../support/kube-large.js';

const PODS = 1_234;
let api: KubeApiServer;
let client: KubeClient;
const soon = (ms = 5_000) => Date.now() + ms;
const podPages = () => api.requestsTo('GET', '/api/v1/pods');
const names = async () =>
  (await client.listPods({}, soon())).map((p) => `${p.namespace}/${p.name}`);

beforeAll(async () => {
  api = await startKubeApi();
  client = kubeClient({ kubeconfig: api.kubeconfig });
});
afterAll(() => api.close());
beforeEach(() => {
  seedLargeCluster(api.store, { workers: 3, pods: PODS, namespaces: 7 });
  api.requests.length = 0;
});

/** Answers the `n`-th matching request (1-based) with `answer`, once. */
function onNth(n: number, match: (r: RecordedRequest) => boolean, answer: () => object) {
  let seen = 0;
  return api.onRequest((req) => (match(req) && ++seen === n ? (answer() as never) : undefined));
}

describe('paged lists', () => {
  it('reads every pod in pages of 500, following continue to the end, in key order', async () => {
    const all = await names();
    expect(all).toHaveLength(PODS);
    expect(new Set(all).size).toBe(PODS);
    expect([...all].sort()).toEqual(all);
    expect(podPages().map((r) => r.query.limit)).toEqual(['500', '500', '500']);
    expect(podPages().map((r) => Boolean(r.query.continue))).toEqual([false, true, true]);
  });

  it('a continue token that expired starts the list over once: every pod once, none twice', async () => {
    const release = onNth(2, (r) => r.path === '/api/v1/pods', continueExpired);
    const all = await names();
    release();
    expect(all).toHaveLength(PODS);
    expect(new Set(all).size).toBe(PODS);
    // page 1, page 2 (410), then page 1, 2, 3 again.
    expect(podPages().map((r) => Boolean(r.query.continue))).toEqual([
      false,
      true,
      false,
      true,
      true,
    ]);
  });

  it('a second expiry is reported, never answered with part of the list', async () => {
    let seen = 0;
    const release = api.onRequest((r) =>
      r.path === '/api/v1/pods' && r.query.continue && ++seen <= 2 ? continueExpired() : undefined,
    );
    const failure = await client.listPods({}, soon()).catch((err: unknown) => err);
    release();
    expect(failure).toMatchObject({
      code: 'KUBE_OPERATION_FAILED',
      message: expect.stringContaining('expired the continue token twice (HTTP 410)'),
    });
  });

  it('asks only for the fields it selects: a node’s pods by spec.nodeName, paged', async () => {
    const pods = await client.listPods({ nodeName: 'worker-0002' }, soon());
    expect(pods.length).toBeGreaterThan(400);
    expect(pods.every((p) => p.node === 'worker-0002')).toBe(true);
    expect(podPages()[0]!.query).toEqual({
      fieldSelector: 'spec.nodeName=worker-0002',
      limit: '500',
    });
  });
});

describe('a busy API server', () => {
  it('429 with Retry-After: the list waits as told, then succeeds', async () => {
    const release = onNth(
      1,
      (r) => r.path === '/api/v1/nodes',
      () => ({
        ...kubeStatus(429, 'TooManyRequests', 'Too many requests, please try again later.'),
        headers: { 'retry-after': '1' },
      }),
    );
    const started = Date.now();
    const nodes = await client.listNodes(soon());
    release();
    expect(nodes).toHaveLength(6);
    expect(api.requestsTo('GET', '/api/v1/nodes')).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('503 twice, then an answer: retried, and the answer is used', async () => {
    let seen = 0;
    const release = api.onRequest((r) =>
      r.path === '/version' && ++seen <= 2
        ? kubeStatus(503, 'ServiceUnavailable', 'etcd leader changed')
        : undefined,
    );
    expect(await client.version(soon())).toBe('v1.31.4');
    release();
    expect(api.requestsTo('GET', '/version')).toHaveLength(3);
  });

  it('a server that keeps answering 429 fails within the deadline, naming the status', async () => {
    const release = api.onRequest((r) =>
      r.path === '/version'
        ? { ...kubeStatus(429, 'TooManyRequests', 'slow down'), headers: { 'retry-after': '1' } }
        : undefined,
    );
    const started = Date.now();
    const failure = await client.version(soon(1_500)).catch((err: unknown) => err);
    release();
    expect(failure).toMatchObject({
      code: 'KUBE_OPERATION_FAILED',
      message: expect.stringContaining('HTTP 429'),
    });
    expect(Date.now() - started).toBeLessThan(1_500 + 1_000);
  });

  it('other errors are not retried (403 once, 404 on a read means absent)', async () => {
    const release = api.onRequest((r) =>
      r.path === '/api/v1/namespaces'
        ? kubeStatus(403, 'Forbidden', 'namespaces is forbidden')
        : undefined,
    );
    await expect(client.listNamespaces(soon())).rejects.toMatchObject({ code: 'KUBE_FORBIDDEN' });
    release();
    expect(api.requestsTo('GET', '/api/v1/namespaces')).toHaveLength(1);
    expect(await client.getNode('no-such-node', soon())).toBeUndefined();
    expect(api.requestsTo('GET', '/api/v1/nodes/no-such-node')).toHaveLength(1);
  });
});
