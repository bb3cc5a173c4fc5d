/**
 * Errors that reach the operator carry a code and say what to do. Classify by
 * `code`, never by message text. Every code is documented in docs/errors.md (a test checks).
 */
export const ERROR_CODES = {
  USAGE: 'The command line is wrong.',
  CONFIG_INVALID: 'A variable or a key of the config file has a wrong value.',
  CONFIG_UNREADABLE: 'The config file cannot be read or is not YAML.',
  CLUSTER_UNKNOWN: 'The named cluster is not configured.',
  TLS_FILE_UNREADABLE: 'A CA, certificate or key file cannot be read.',
  ETCD_UNREACHABLE: 'No etcd member answered.',
  ETCD_OPERATION_FAILED: 'etcd refused or failed an operation.',
  ETCD_ACCESS_DENIED: "etcd refused the credentials, or the user's role does not allow the call.",
  SNAPSHOT_NOT_FOUND: 'No kept snapshot has that id or path.',
  SNAPSHOT_INVALID: 'A snapshot failed verification.',
  S3_ACCESS_DENIED: 'The object store refused the credentials, or what they may do.',
  S3_BUCKET_NOT_FOUND: 'The bucket of the snapshot store does not exist (at that endpoint).',
  S3_UNREACHABLE: 'The object store did not answer: the endpoint, the network or a timeout.',
  S3_OPERATION_FAILED: 'The object store refused or failed a request.',
  JOB_INVALID: 'A job request has an unknown kind, bad parameters or no approval.',
  KUBECONFIG_INVALID: 'The kubeconfig cannot be read, or lacks the named context or a server.',
  KUBE_UNREACHABLE: 'The Kubernetes API server did not answer in time (network, TLS or timeout).',
  KUBE_UNAUTHORIZED: 'The Kubernetes API server rejected the credentials (HTTP 401).',
  KUBE_FORBIDDEN: 'RBAC does not allow the call to the Kubernetes API (HTTP 403).',
  KUBE_OPERATION_FAILED: 'The Kubernetes API refused or failed a request.',
  RUNBOOK_INVALID: 'A runbook file is not valid YAML or breaks the runbook schema.',
  RUNBOOK_UNKNOWN: 'No runbook has that id, or a parameter it needs is missing or malformed.',
  FILE_ACCESS_FAILED: 'A file or directory cannot be used: missing, the wrong kind, access, space.',
  ALERTMANAGER_UNREACHABLE:
    'Alertmanager did not answer: its URL, the network, TLS or a timeout (alertmanager.timeout).',
  ALERTMANAGER_REFUSED:
    'Alertmanager refused a request: the credentials (HTTP 401/403), or a silence it would not take.',
  REDIS_UNREACHABLE: 'Redis did not answer: not running, a wrong REDIS_URL, or a password needed.',
  INTERNAL: 'Quorum did not expect this failure; LOG_LEVEL=debug logs the details.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class QuorumError extends Error {
  /** Subclasses (a typed error of a client interface) name themselves. */
  override readonly name: string = 'QuorumError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** What the operator should do about it. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isQuorumError(err: unknown): err is QuorumError {
  return err instanceof QuorumError;
}

/** A short, single-line description of any thrown value, for findings and logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
