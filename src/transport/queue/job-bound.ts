/**
 * How long a job of a kind may take from its first attempt to its last, as the
 * catalogue bounds it: every attempt's timeout and the backoff between them. The
 * runbook sweep fails a step whose job gave no result within this (and some queueing).
 */
import type { Config } from '../../config/schema.js';
import { findJobKind } from './catalogue.js';

/** Undefined for a kind or cluster this process does not know. */
export function jobBoundMs(
  config: Config,
  kindName: string,
  clusterName: string,
): number | undefined {
  const kind = findJobKind(kindName);
  const cluster = config.clusters.find((c) => c.name === clusterName);
  if (!kind || !cluster) return undefined;
  let backoff = 0;
  for (let retry = 1; retry < kind.attempts; retry++) {
    const { type, delay } = kind.backoff;
    backoff += type === 'fixed' ? delay : delay * 2 ** (retry - 1);
  }
  return kind.attempts * kind.timeoutMs(config, cluster) + backoff;
}
