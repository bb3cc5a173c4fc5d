/**
 * Slack re-deliveries: Slack sends a command again when the ack was slow, with the
 * same trigger id. The first delivery claims the id (`SET NX`, kept a day) and, in the
 * same script (one round trip), appends its audit entry; later ones find the id claimed
 * and act on nothing, writing nothing.
 *
 * Key: `${prefix}:slack:request:${triggerId}` (and the audit stream, state/audit.ts).
 */
import type { AuditEvent } from '../domain/audit.js';
import { auditFields, auditStreamKey, DEFAULT_AUDIT_MAX_LEN } from './audit.js';
import type { StateRedis } from './redis.js';

const KEEP_MS = 86_400_000;
const key = (prefix: string, triggerId: string) => `${prefix}:slack:request:${triggerId}`;

// KEYS[1] the claim, KEYS[2] the audit stream; ARGV[1] ttl ms, ARGV[2] the stream's MAXLEN,
// ARGV[3..] the entry's fields. Output: 1 first delivery (entry appended), 0 seen before.
// An append that fails fails the script with the claim kept, as two separate calls would.
const CLAIM = `
if not redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
return 1`;

/**
 * True for the first delivery of this trigger id, whose `audit` entry is then written;
 * false for a repeat. Rejects (the id claimed, nothing to act on) when the append fails.
 */
export async function firstDelivery(
  redis: StateRedis,
  prefix: string,
  triggerId: string,
  audit: AuditEvent,
): Promise<boolean> {
  const fields = auditFields(audit);
  const keys = [key(prefix, triggerId), auditStreamKey(prefix)];
  return (
    Number(await redis.eval(CLAIM, 2, ...keys, KEEP_MS, DEFAULT_AUDIT_MAX_LEN, ...fields)) === 1
  );
}
