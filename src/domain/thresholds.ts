/**
 * What the etcd check judges against. The config schema (config/schema.ts) parses the
 * values, with units and defaults, into exactly this shape; operations take it from
 * their input and never read the config themselves.
 */
export interface EtcdThresholds {
  dbQuotaWarnRatio: number;
  dbQuotaCritRatio: number;
  /** Fragmentation: in-use below this share of the file… */
  fragmentationInUseRatio: number;
  /** …with more than this many bytes in use. */
  fragmentationMinInUse: number;
  applyLagWarn: number;
  /** Milliseconds. */
  walFsyncP99Warn: number;
  walFsyncP99Crit: number;
  backendCommitP99Warn: number;
  backendCommitP99Crit: number;
  /** A latency verdict needs at least this many observations in its window. */
  latencyMinObservations: number;
  leaderChangesWarn: number;
}
