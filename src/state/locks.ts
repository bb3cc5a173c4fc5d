/**
 * A lease in Redis: one holder at a time, identified by a random token, with a TTL
 * that the holder renews while it works. A holder that dies (SIGKILL, lost network)
 * stops renewing and the lease expires after `ttlMs`; a holder that lost its lease
 * (expired while paused) finds out at the next renewal (`lost`) and never deletes a
 * lease someone else now holds: renew and release compare the token in one script.
 *
 * Used for per-cluster maintenance exclusivity: never two snapshots, defrags or
 * compactions on one cluster at once, however many workers run.
 */
import { randomBytes } from 'node:crypto';

/** The one Redis command a lease needs; an ioredis `Redis` satisfies it. */
export interface LockRedis {
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
}

// KEYS[1] lock key; ARGV[1] token, ARGV[2] ttl ms. Output: 1 acquired, 0 held by someone else.
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

// KEYS[1] lock key; ARGV[1] token, ARGV[2] ttl ms. Output: 1 renewed, 0 not ours any more.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

// KEYS[1] lock key; ARGV[1] token. Output: 1 released, 0 not ours (expired or taken over).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface Lease {
  readonly key: string;
  readonly token: string;
  /** True once a renewal found the lease gone or held by someone else. */
  readonly lost: boolean;
  /** Stops renewing and deletes the lease if it is still ours. Idempotent. */
  release(): Promise<boolean>;
}

export interface LeaseOptions {
  ttlMs: number;
  /** Renewal period; a third of the TTL by default, so two renewals may fail before expiry. */
  renewEveryMs?: number;
  /** Who holds it, kept in the token for debugging (`worker-1/job-42`); made unique here. */
  holder?: string;
  onLost?: (key: string) => void;
}

/** The lease on `key`, or undefined when someone else holds it. */
export async function tryAcquireLease(
  redis: LockRedis,
  key: string,
  opts: LeaseOptions,
): Promise<Lease | undefined> {
  const token = `${opts.holder ?? 'holder'}/${randomBytes(8).toString('hex')}`;
  const got = await redis.eval(ACQUIRE, 1, key, token, opts.ttlMs);
  if (Number(got) !== 1) return undefined;
  return new RenewedLease(redis, key, token, opts);
}

/** The token currently holding `key`, if any (for status pages and tests). */
export async function leaseHolder(redis: LockRedis, key: string): Promise<string | undefined> {
  const value = await redis.eval(`return redis.call('GET', KEYS[1])`, 1, key);
  return typeof value === 'string' ? value : undefined;
}

class RenewedLease implements Lease {
  lost = false;
  private timer: NodeJS.Timeout | undefined;
  private released: Promise<boolean> | undefined;

  constructor(
    private readonly redis: LockRedis,
    readonly key: string,
    readonly token: string,
    private readonly opts: LeaseOptions,
  ) {
    this.schedule();
  }

  private schedule(): void {
    const every = this.opts.renewEveryMs ?? Math.max(10, Math.floor(this.opts.ttlMs / 3));
    this.timer = setTimeout(() => void this.renew(), every);
  }

  private async renew(): Promise<void> {
    if (this.released) return;
    try {
      const ok = await this.redis.eval(RENEW, 1, this.key, this.token, this.opts.ttlMs);
      if (Number(ok) !== 1) {
        this.lost = true;
        this.opts.onLost?.(this.key);
        return;
      }
    } catch {
      // Redis unreachable for a moment: try again at the next period; the TTL covers two misses.
    }
    if (!this.released) this.schedule();
  }

  release(): Promise<boolean> {
    clearTimeout(this.timer);
    this.released ??= this.redis
      .eval(RELEASE, 1, this.key, this.token)
      .then((n) => Number(n) === 1)
      .catch(() => false);
    return this.released;
  }
}

/** `quorum:lock:maintenance:prod`: held while a snapshot, defrag or compaction runs on prod. */
export function maintenanceLockKey(prefix: string, cluster: string): string {
  return `${prefix}:lock:maintenance:${cluster}`;
}
