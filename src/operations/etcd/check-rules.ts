/**
 * The etcd health rules: pure functions from what the probes saw to findings.
 * Thresholds follow the etcd docs and the upstream etcd mixin's alerts.
 */
import type { Finding } from '../../domain/report.js';
import type { CheckFacts } from './rules/facts.js';
import {
  leaderFindings,
  membershipFindings,
  noAnswerFindings,
  quorumFindings,
  reachabilityFindings,
} from './rules/membership.js';
import { latencyFindings, versionFindings } from './rules/runtime.js';
import {
  alarmFindings,
  applyLagFindings,
  consistencyFindings,
  dbSizeFindings,
  fragmentationFindings,
} from './rules/storage.js';

export type { CheckFacts } from './rules/facts.js';
export { NOSPACE_REMEDY } from './rules/storage.js';
export { noAnswerFindings };

/** Every rule, in the order the report lists them. */
export function checkFindings(f: CheckFacts): Finding[] {
  return [
    quorumFindings,
    leaderFindings,
    reachabilityFindings,
    membershipFindings,
    alarmFindings,
    dbSizeFindings,
    fragmentationFindings,
    applyLagFindings,
    consistencyFindings,
    versionFindings,
    latencyFindings,
  ].flatMap((rule) => rule(f));
}
