/**
 * Each cluster's last security audit, so the next one says what changed since: its open
 * findings (id, subject, severity, title) and when it finished.
 *
 * Key: `${prefix}:security:history:${cluster}`, a hash kept without expiry (one small record
 * per cluster, replaced by each audit):
 *   jobId     the job that stored it
 *   current   that job's run, JSON `{ finishedAt, findings }`
 *   previous  the run that job compared with, JSON (absent after the first audit)
 * Exactly once: a retry of the job that stored last (its report never recorded) compares
 * with `previous` again, never with its own run.
 */
import type { AuditRun, KeptFinding, SecurityHistory } from '../domain/security-progress.js';
import type { StateRedis } from './redis.js';

export const securityHistoryKey = (prefix: string, cluster: string) =>
  `${prefix}:security:history:${cluster}`;

/** KEYS[1] the hash · ARGV[1] the job id · ARGV[2] its run, JSON · ARGV[3] the run before, JSON or ''. */
const KEEP = `
redis.call('HSET', KEYS[1], 'jobId', ARGV[1], 'current', ARGV[2])
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], 'previous')
else
  redis.call('HSET', KEYS[1], 'previous', ARGV[3])
end
return 1`;

const isKept = (f: unknown): f is KeptFinding => {
  const x = f as Partial<KeptFinding> | null;
  return (
    !!x &&
    typeof x.id === 'string' &&
    typeof x.title === 'string' &&
    typeof x.severity === 'string' &&
    (x.subject === undefined || typeof x.subject === 'string')
  );
};

/** A stored run, or undefined for anything that is not one (written by hand, an old shape). */
function parseRun(text: string | undefined): AuditRun | undefined {
  if (!text) return undefined;
  try {
    const doc = JSON.parse(text) as Partial<AuditRun> | null;
    if (!doc || typeof doc.finishedAt !== 'string' || !Array.isArray(doc.findings))
      return undefined;
    return doc.findings.every(isKept) ? (doc as AuditRun) : undefined;
  } catch {
    return undefined;
  }
}

export function securityHistoryStore(redis: StateRedis, prefix: string): SecurityHistory {
  return {
    async before(cluster, jobId) {
      const h = await redis.hgetall(securityHistoryKey(prefix, cluster));
      return parseRun(h.jobId === jobId ? h.previous : h.current);
    },
    async keep(cluster, r) {
      const previous = r.previous ? JSON.stringify(r.previous) : '';
      const key = securityHistoryKey(prefix, cluster);
      await redis.eval(KEEP, 1, key, r.jobId, JSON.stringify(r.current), previous);
    },
  };
}
