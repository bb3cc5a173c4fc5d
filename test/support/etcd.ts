/**
 * Real etcd clusters on free ports in temporary directories.
 *
 *   const etcd = await startEtcd({ tls: 'client-cert', auth: { rootPassword: 'pw' } });
 *   await etcd.etcdctl(['put', 'k', 'v']);
 *   await etcd.close();
 *
 * Peers always talk plain http on 127.0.0.1; clients use http://127.0.0.1:PORT, or
 * https://localhost:PORT with TLS so the certificate names match. Every process is
 * killed and every directory removed at process exit even if close() is forgotten.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sharedCerts, type Certs } from './certs.js';
import { EtcdStartError, LocalEtcdMember, type EtcdMember } from './etcd-member.js';
import { runEtcdctl, type EtcdctlOptions } from './etcdctl.js';
import { freePort } from './ports.js';
import { removeDir, tmpDir, type CommandResult } from './processes.js';

export interface EtcdOptions {
  /** 'server': https, client certificates not required; 'client-cert': https and required. */
  tls?: 'none' | 'server' | 'client-cert';
  /** Create user root (role root) with this password and enable auth. */
  auth?: { rootPassword: string };
  quotaBackendBytes?: number;
  extraArgs?: string[];
  /** Per member, for startup and restart. Default 15 s. */
  startTimeoutMs?: number;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** Client URLs. */
  endpoints: string[];
  /**
   * ETCDCTL_ENDPOINTS (comma-joined); ETCDCTL_CACERT with TLS; ETCDCTL_CERT and
   * ETCDCTL_KEY with 'client-cert'; ETCDCTL_USER=root:<password> with auth.
   */
  env: Record<string, string>;
  certs?: Certs;
  /** Kill every member and remove the directories. Idempotent. */
  close(): Promise<void>;
  /** etcdctl with `env` (see etcdctl.ts for how opts.env and flags combine). */
  etcdctl(args: string[], opts?: EtcdctlOptions): Promise<CommandResult>;
}

export type { EtcdMember, EtcdctlOptions };

export function startEtcd(opts: EtcdOptions = {}): Promise<EtcdCluster> {
  return startEtcdCluster(1, opts);
}

export async function startEtcdCluster(size = 3, opts: EtcdOptions = {}): Promise<EtcdCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptStart(size, opts);
    } catch (error) {
      // A port was taken between freePort() and etcd binding it: new ports, new try.
      if (!(error instanceof EtcdStartError && error.portClash && attempt < 3)) throw error;
    }
  }
}

async function attemptStart(size: number, opts: EtcdOptions): Promise<EtcdCluster> {
  const tls = opts.tls ?? 'none';
  const certs = tls === 'none' ? undefined : await sharedCerts();
  const dir = await tmpDir('etcd');
  const token = `quorum-test-${randomUUID()}`;
  const specs = [];
  for (let i = 0; i < size; i++) {
    const [client, peer, metrics] = [await freePort(), await freePort(), await freePort()];
    specs.push({
      name: `m${i}`,
      clientUrl: certs ? `https://localhost:${client}` : `http://127.0.0.1:${client}`,
      peerUrl: `http://127.0.0.1:${peer}`,
      metricsUrl: `http://127.0.0.1:${metrics}`,
      dataDir: path.join(dir, `m${i}.etcd`),
    });
  }
  const initialCluster = specs.map((s) => `${s.name}=${s.peerUrl}`).join(',');
  const env: Record<string, string> = {
    ETCDCTL_ENDPOINTS: specs.map((s) => s.clientUrl).join(','),
  };
  const tlsArgs: string[] = [];
  if (certs) {
    env.ETCDCTL_CACERT = certs.ca;
    tlsArgs.push(`--cert-file=${certs.serverCert}`, `--key-file=${certs.serverKey}`);
  }
  if (certs && tls === 'client-cert') {
    env.ETCDCTL_CERT = certs.clientCert;
    env.ETCDCTL_KEY = certs.clientKey;
    tlsArgs.push('--client-cert-auth', `--trusted-ca-file=${certs.ca}`);
  }
  const members: LocalEtcdMember[] = [];
  const quorumRunning = (): boolean =>
    members.filter((m) => m.running).length > Math.floor(members.length / 2);
  for (const spec of specs) {
    const args = [
      `--name=${spec.name}`,
      `--data-dir=${spec.dataDir}`,
      `--listen-client-urls=${spec.clientUrl}`,
      `--advertise-client-urls=${spec.clientUrl}`,
      `--listen-peer-urls=${spec.peerUrl}`,
      `--initial-advertise-peer-urls=${spec.peerUrl}`,
      `--initial-cluster=${initialCluster}`,
      '--initial-cluster-state=new',
      `--initial-cluster-token=${token}`,
      '--heartbeat-interval=10',
      '--election-timeout=100',
      '--logger=zap',
      '--log-level=warn',
      `--listen-metrics-urls=${spec.metricsUrl}`,
      ...(opts.quotaBackendBytes ? [`--quota-backend-bytes=${opts.quotaBackendBytes}`] : []),
      ...tlsArgs,
      ...(opts.extraArgs ?? []),
    ];
    const timeoutMs = opts.startTimeoutMs ?? 15_000;
    members.push(new LocalEtcdMember({ ...spec, args }, () => env, timeoutMs, quorumRunning));
  }

  const cluster = new LocalEtcdCluster(members, env, certs, dir);
  try {
    await cluster.boot(opts.auth?.rootPassword);
    return cluster;
  } catch (error) {
    await cluster.close();
    throw error;
  }
}

class LocalEtcdCluster implements EtcdCluster {
  readonly endpoints: string[];
  private closing: Promise<void> | undefined;

  constructor(
    readonly members: LocalEtcdMember[],
    readonly env: Record<string, string>,
    readonly certs: Certs | undefined,
    private readonly dir: string,
  ) {
    this.endpoints = members.map((m) => m.clientUrl);
  }

  /** Launch the members, wait until all are healthy, then set up auth. */
  async boot(rootPassword: string | undefined): Promise<void> {
    // One after another, each as soon as it serves peer traffic. A new member asks
    // its peers whether it was bootstrapped already; a peer whose port is bound but
    // not yet served makes that request hang for etcd's 1 s bootstrap timeout (per
    // peer), so launching all at once took 1-2.5 s instead of ~0.5 s now and then.
    for (const member of this.members) {
      member.launch();
      if (this.members.length > 1) await member.waitPeerServing();
    }
    let first: Error | undefined;
    const waits = this.members.map((member) =>
      member.waitHealthy().catch(async (error: unknown) => {
        first ??= error instanceof Error ? error : new Error(String(error));
        // Stops the other members' waits at once instead of at their timeouts.
        await Promise.all(this.members.map((m) => m.kill()));
      }),
    );
    await Promise.all(waits);
    if (first !== undefined) throw first;
    if (rootPassword !== undefined) await this.enableAuth(rootPassword);
  }

  private async enableAuth(password: string): Promise<void> {
    const must = async (args: string[], tolerate?: RegExp): Promise<void> => {
      const result = await this.etcdctl(args);
      const output = `${result.stdout}${result.stderr}`;
      if (result.code !== 0 && !tolerate?.test(output)) {
        throw new Error(`etcdctl ${args.slice(0, 2).join(' ')} failed (${result.code}): ${output}`);
      }
    };
    await must(['user', 'add', 'root', `--new-user-password=${password}`, '--interactive=false']);
    await must(['role', 'add', 'root'], /already exists/);
    await must(['user', 'grant-role', 'root', 'root']);
    await must(['auth', 'enable']);
    this.env.ETCDCTL_USER = `root:${password}`;
  }

  etcdctl(args: string[], opts: EtcdctlOptions = {}): Promise<CommandResult> {
    const timeout = opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs };
    return runEtcdctl(args, { ...this.env, ...opts.env }, timeout);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const member of this.members) member.closed = true;
      await Promise.all(this.members.map((m) => m.kill()));
      await removeDir(this.dir);
    })();
    return this.closing;
  }
}
