import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeClient } from '../../src/clients/kube.js';
import { isQuorumError, type QuorumError } from '../../src/domain/errors.js';
import { cordon } from '../../src/operations/kube/cordon.js';
import { nodeStatus } from '../../src/operations/kube/node-status.js';
import {
  freePort,
  kube,
  startKubeApi,
  startSilentServer,
  type KubeApiServer,
} from '../support/index.js';

const cluster = 'test';
const timeoutMs = 2_000;

async function failure(work: Promise<unknown>): Promise<QuorumError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isQuorumError(err)) throw new Error(`expected a QuorumError, got ${String(err)}`);
  return err;
}

describe('Kubernetes API failures', () => {
  let api: KubeApiServer;
  beforeEach(async () => {
    api = await startKubeApi();
    api.store.add(kube.node({ name: 'worker-1' }));
  });
  afterEach(() => api.close());

  it('a hanging API server fails within twice the timeout, naming the server', async () => {
    const client = kubeClient({ kubeconfig: api.kubeconfig });
    api.hang();
    const started = Date.now();
    const err = await failure(nodeStatus(client, { cluster, node: 'worker-1', timeoutMs: 1_000 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err.code).toBe('KUBE_UNREACHABLE');
    expect(err.message).toContain(api.url);
    expect(err.message).toMatch(/did not answer get (node|lease) .* within (99\d|1000) ms/);
    expect(err.hint).toContain('kube-apiserver');
  });

  it('a server that accepts TCP but never speaks TLS fails within twice the timeout', async () => {
    const silent = await startSilentServer();
    try {
      const server = `https://127.0.0.1:${silent.port}`;
      const client = kubeClient({ kubeconfig: await api.writeKubeconfig({ server }) });
      const started = Date.now();
      const err = await failure(client.listNodes(Date.now() + 1_000));
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(err).toMatchObject({ code: 'KUBE_UNREACHABLE' });
      expect(err.message).toContain(server);
    } finally {
      await silent.close();
    }
  });

  it('nothing listening → KUBE_UNREACHABLE with the reason and the server', async () => {
    const server = `https://127.0.0.1:${await freePort()}`;
    const client = kubeClient({ kubeconfig: await api.writeKubeconfig({ server }) });
    const err = await failure(cordon(client, { cluster, node: 'worker-1', timeoutMs: 1_000 }));
    expect(err.code).toBe('KUBE_UNREACHABLE');
    expect(err.message).toContain(server);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('a wrong token → KUBE_UNAUTHORIZED, and the token appears nowhere in the error', async () => {
    const wrong = 'not-the-token-0123456789abcdef';
    const client = kubeClient({ kubeconfig: await api.writeKubeconfig({ token: wrong }) });
    const err = await failure(nodeStatus(client, { cluster, node: 'worker-1', timeoutMs }));
    expect(err.code).toBe('KUBE_UNAUTHORIZED');
    expect(err.message).toContain(api.url);
    expect(err.message).toContain('401');
    const text = `${err.message} ${err.hint ?? ''}`;
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(api.token);
    expect(api.requests.every((r) => !r.authorized)).toBe(true);
  });
});
