/**
 * Slack re-deliveries: Slack sends a command again when the ack was slow, with the
 * same trigger id. The first delivery claims the id (`SET NX`, kept a day); later ones
 * find it claimed and act on nothing.
 *
 * Key: `${prefix}:slack:request:${triggerId}`.
 */
import type { StateRedis } from './redis.js';

const KEEP_MS = 86_400_000;
const key = (prefix: string, triggerId: string) => `${prefix}:slack:request:${triggerId}`;

// KEYS[1] the claim; ARGV[1] ttl ms. Output: 1 first delivery, 0 seen before.
const CLAIM = `
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 1 end
return 0`;

/** True for the first delivery of this trigger id; false for a repeat. */
export async function firstDelivery(
  redis: StateRedis,
  prefix: string,
  triggerId: string,
): Promise<boolean> {
  return Number(await redis.eval(CLAIM, 1, key(prefix, triggerId), KEEP_MS)) === 1;
}
