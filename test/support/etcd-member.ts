/**
 * One etcd server process: its flags, its lifecycle, and waiting until it is healthy.
 */
import { etcdBin } from './etcd-bin.js';
import { runEtcdctl, envWithout } from './etcdctl.js';
import { waitFor } from './processes.js';
import { canConnect, etcdHasLeader, httpGet } from './probes.js';
import { ServerProcess } from './server-process.js';

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  metricsUrl: string;
  /** SIGTERM, wait for exit (SIGKILL after 2 s). */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
  /**
   * (Re)start with the same data dir and ports; resolves once healthy (or, when the
   * running members are short of a majority, once it accepts connections).
   */
  start(): Promise<void>;
  readonly running: boolean;
  /** The last ~8 KB of the member's log. */
  logs(): string;
}

const STOP_GRACE_MS = 2_000;

export interface MemberConfig {
  name: string;
  clientUrl: string;
  peerUrl: string;
  metricsUrl: string;
  dataDir: string;
  /** Complete etcd argv. */
  args: string[];
}

/** Startup failed; `portClash` when a port was taken between freePort() and bind. */
export class EtcdStartError extends Error {
  constructor(
    message: string,
    readonly portClash: boolean,
  ) {
    super(message);
    this.name = 'EtcdStartError';
  }
}

export class LocalEtcdMember implements EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly metricsUrl: string;
  readonly dataDir: string;
  closed = false;
  private process: ServerProcess | undefined;

  constructor(
    private readonly config: MemberConfig,
    /** The cluster's ETCDCTL_* variables at the time of the health check. */
    private readonly etcdctlVars: () => Record<string, string>,
    private readonly startTimeoutMs: number,
    /** Whether the running members form a majority, i.e. health is possible. */
    private readonly quorumRunning: () => boolean = () => true,
  ) {
    this.name = config.name;
    this.clientUrl = config.clientUrl;
    this.peerUrl = config.peerUrl;
    this.metricsUrl = config.metricsUrl;
    this.dataDir = config.dataDir;
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  logs(): string {
    return this.process?.logs() ?? '';
  }

  /** Spawn without waiting for anything (see LocalEtcdCluster.boot for the order). */
  launch(): void {
    if (this.closed) throw new Error(`etcd ${this.name}: the cluster is closed`);
    if (this.running) return;
    this.process = new ServerProcess(etcdBin('etcd'), this.config.args, {
      name: `etcd ${this.name}`,
      // etcd reads ETCD_* variables as flags; keep only the arm64 opt-in.
      env: envWithout(['ETCD_', 'ETCDCTL_'], ['ETCD_UNSUPPORTED_ARCH']),
    });
  }

  /**
   * Resolves once the member is healthy; or, while the running members are short of
   * a majority (health is then impossible), once it accepts connections.
   */
  async start(): Promise<void> {
    this.launch();
    await this.waitHealthy(!this.quorumRunning());
  }

  async stop(): Promise<void> {
    // A leader whose peers are all down spends seconds trying to hand over leadership.
    await this.process?.stop(STOP_GRACE_MS);
  }

  async kill(): Promise<void> {
    await this.process?.kill();
  }

  /** Throws EtcdStartError (with the last log lines) when the process has exited. */
  private assertAlive(): void {
    if (this.running) return;
    const description = this.process?.describe() ?? `etcd ${this.name} was never started`;
    const clash = /address already in use/i.test(description);
    throw new EtcdStartError(`etcd ${this.name} did not start: ${description}`, clash);
  }

  /** Until the peer port answers HTTP (bound is not enough: etcd serves it later). */
  async waitPeerServing(): Promise<void> {
    await waitFor(
      async () => {
        this.assertAlive();
        return (await httpGet(`${this.peerUrl}/members`, 200)) !== undefined;
      },
      {
        what: `etcd ${this.name} to serve peer traffic on ${this.peerUrl}`,
        timeoutMs: this.startTimeoutMs,
        intervalMs: 10,
        context: () => this.process?.describe() ?? '',
      },
    );
  }

  /** Client port accepting connections, then `etcdctl endpoint health` against this member. */
  async waitHealthy(onlyListening = false): Promise<void> {
    const deadline = Date.now() + this.startTimeoutMs;
    const { hostname, port } = new URL(this.clientUrl);
    // Probing first keeps etcdctl from meeting "connection refused", after which
    // gRPC backs off for a whole second.
    await waitFor(
      async () => {
        this.assertAlive();
        return canConnect(hostname === 'localhost' ? '127.0.0.1' : hostname, Number(port));
      },
      {
        what: `etcd ${this.name} to accept connections on ${this.clientUrl}`,
        timeoutMs: this.startTimeoutMs,
        intervalMs: 10,
        context: () => this.process?.describe() ?? '',
      },
    );
    if (onlyListening) return;
    // Likewise, a read sent before a leader exists hangs until the command timeout.
    await waitFor(
      async () => {
        this.assertAlive();
        return etcdHasLeader(this.metricsUrl);
      },
      {
        what: `etcd ${this.name} to see a leader (${this.metricsUrl}/metrics)`,
        timeoutMs: Math.max(1_000, deadline - Date.now()),
        intervalMs: 10,
        context: () => this.process?.describe() ?? '',
      },
    );
    let last = '';
    await waitFor(
      async () => {
        this.assertAlive();
        const vars = { ...this.etcdctlVars(), ETCDCTL_ENDPOINTS: this.clientUrl };
        // Flags, not ETCDCTL_*_TIMEOUT: etcdctl 3.4 reads the command timeout before
        // it applies the environment, so ETCDCTL_COMMAND_TIMEOUT has no effect.
        const args = ['endpoint', 'health', '--dial-timeout=1s', '--command-timeout=2s'];
        const result = await runEtcdctl(args, vars);
        last = `${result.stdout}${result.stderr}`;
        return result.code === 0 || onlyAlarms(last);
      },
      {
        what: `etcd ${this.name} to be healthy (etcdctl endpoint health ${this.clientUrl})`,
        timeoutMs: Math.max(1_000, deadline - Date.now()),
        intervalMs: 25,
        context: () => `etcdctl: ${last}\n${this.process?.describe() ?? ''}`,
      },
    );
  }
}

/**
 * etcdctl reports a member with an active alarm (e.g. NOSPACE after a quota test) as
 * unhealthy although it serves; such a member has started for our purposes.
 */
function onlyAlarms(output: string): boolean {
  const unhealthy = output.split('\n').filter((line) => line.includes('is unhealthy'));
  return unhealthy.length > 0 && unhealthy.every((line) => line.includes('Active Alarm'));
}
