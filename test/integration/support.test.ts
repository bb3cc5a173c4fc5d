import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ping,
  sharedOtherCa,
  startEtcd,
  startEtcdCluster,
  startRedis,
  startSilentServer,
  type EtcdCluster,
} from '../support/index.js';

describe('etcd harness', () => {
  let etcd: EtcdCluster | undefined;
  afterEach(async () => {
    await etcd?.close();
    etcd = undefined;
  });

  it('starts a healthy single member that etcdctl can write to and read from', async () => {
    etcd = await startEtcd();
    expect(etcd.endpoints).toHaveLength(1);
    expect(etcd.env.ETCDCTL_ENDPOINTS).toBe(etcd.endpoints[0]);
    expect((await etcd.etcdctl(['put', 'greeting', 'hello'])).code).toBe(0);
    const get = await etcd.etcdctl(['get', 'greeting', '--print-value-only']);
    expect(get).toMatchObject({ code: 0, stdout: 'hello\n' });
    const metrics = await fetch(`${etcd.members[0]!.metricsUrl}/health`);
    expect(metrics.status).toBe(200);
  });

  it('keeps a 3-member cluster healthy without member 0 and restarts it', async () => {
    etcd = await startEtcdCluster(3);
    const [first, ...rest] = etcd.members;
    await first!.stop();
    expect(first!.running).toBe(false);
    const others = { env: { ETCDCTL_ENDPOINTS: rest.map((m) => m.clientUrl).join(',') } };
    const health = await etcd.etcdctl(['endpoint', 'health'], others);
    expect(health.code, health.stderr).toBe(0);
    expect((await etcd.etcdctl(['put', 'while-down', 'yes'], others)).code).toBe(0);

    await first!.start();
    expect(first!.running).toBe(true);
    const all = await etcd.etcdctl(['endpoint', 'health']);
    expect(all.code, all.stderr).toBe(0);
    // The restarted member kept its data dir and caught up with the write it missed.
    const get = await etcd.etcdctl(['get', 'while-down', '--print-value-only'], {
      env: { ETCDCTL_ENDPOINTS: first!.clientUrl },
    });
    expect(get.stdout).toBe('yes\n');
  });

  it('requires a client certificate from the right CA with tls: client-cert', async () => {
    etcd = await startEtcd({ tls: 'client-cert' });
    expect(etcd.endpoints[0]).toMatch(/^https:\/\/localhost:\d+$/);
    expect(etcd.env).toMatchObject({
      ETCDCTL_CACERT: etcd.certs!.ca,
      ETCDCTL_CERT: etcd.certs!.clientCert,
      ETCDCTL_KEY: etcd.certs!.clientKey,
    });
    expect((await etcd.etcdctl(['put', 'k', 'v'])).code).toBe(0);

    // A flag: etcdctl 3.4 ignores ETCDCTL_COMMAND_TIMEOUT.
    const get = ['get', 'k', '--command-timeout=1s', '--print-value-only'];
    expect(await etcd.etcdctl(get)).toMatchObject({ code: 0, stdout: 'v\n' });
    const noCert = await etcd.etcdctl(get, { env: { ETCDCTL_CERT: '', ETCDCTL_KEY: '' } });
    expect(noCert.code).not.toBe(0);

    const other = await sharedOtherCa();
    const wrongCa = await etcd.etcdctl(get, {
      env: { ETCDCTL_CERT: other.clientCert, ETCDCTL_KEY: other.clientKey },
    });
    expect(wrongCa.code).not.toBe(0);
  });

  it('enables auth with the root password', async () => {
    etcd = await startEtcd({ auth: { rootPassword: 's3cret' } });
    expect(etcd.env.ETCDCTL_USER).toBe('root:s3cret');
    expect((await etcd.etcdctl(['put', 'k', 'v'])).code).toBe(0);

    const wrong = await etcd.etcdctl(['get', 'k'], { env: { ETCDCTL_USER: 'root:wrong' } });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/authentication failed/);

    const anonymous = await etcd.etcdctl(['get', 'k'], { env: { ETCDCTL_USER: '' } });
    expect(anonymous.code).not.toBe(0);

    // A flag shadows (and drops) the matching ETCDCTL_* variable instead of conflicting.
    const flag = await etcd.etcdctl(['get', 'k', '--print-value-only', '--user=root:s3cret']);
    expect(flag).toMatchObject({ code: 0, stdout: 'v\n' });
  });

  it('names the member and shows its last log lines when etcd fails to start', async () => {
    await expect(startEtcd({ extraArgs: ['--no-such-flag'] })).rejects.toThrow(
      /etcd m0 did not start[\s\S]*no-such-flag/,
    );
  });

  it('close() is idempotent', async () => {
    const cluster = await startEtcd();
    await Promise.all([cluster.close(), cluster.close()]);
    await cluster.close();
    expect(cluster.members[0]!.running).toBe(false);
  });
});

describe('redis harness', () => {
  let close: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await close?.();
  });

  it('answers PING', async () => {
    const redis = await startRedis();
    close = () => redis.close();
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await ping(redis.port)).toBe(true);
  });
});

describe('silent server', () => {
  let server: Awaited<ReturnType<typeof startSilentServer>>;
  beforeAll(async () => {
    server = await startSilentServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('accepts TCP connections and never answers', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: server.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toBe(0);
    socket.destroy();
  });
});
