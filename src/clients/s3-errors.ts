/**
 * What the AWS SDK throws, as a QuorumError naming what to fix: the credential
 * variables, the bucket in QUORUM_SNAPSHOT_STORE, the endpoint or the region.
 * Classified by the SDK's error names and HTTP status, never by message text; no
 * credential (not even the access key id) is put into a message.
 */
import { describeError, QuorumError } from '../domain/errors.js';

/** Where the failing call went, for the message. */
export interface S3Where {
  /** `s3://bucket/prefix` */
  location: string;
  bucket: string;
  /** The custom endpoint, when one is configured. */
  endpoint?: string;
}

const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
  'AccessDenied',
  'Forbidden',
  'AllAccessDisabled',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The SDK's name for the failure (`NoSuchBucket`, `InvalidAccessKeyId`, `ECONNREFUSED` …). */
export function s3ErrorName(err: unknown): string {
  const e = (err ?? {}) as SdkError;
  return e.code && NETWORK_CODES.has(e.code) ? e.code : (e.name ?? 'Error');
}

const CREDENTIALS_HINT =
  "Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or the service account's IRSA role / EKS Pod Identity): the identity needs s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject, s3:AbortMultipartUpload and s3:ListBucketMultipartUploads on the bucket and prefix.";

export function s3Error(err: unknown, where: S3Where, doing: string): QuorumError {
  if (err instanceof QuorumError) return err;
  const name = s3ErrorName(err);
  const status = (err as SdkError | undefined)?.$metadata?.httpStatusCode;
  const reason = `${name}: ${describeError(err)}`;
  const at = where.endpoint ? ` at ${where.endpoint}` : '';
  if (name === 'NoSuchBucket') {
    return new QuorumError(
      'S3_BUCKET_NOT_FOUND',
      `The bucket "${where.bucket}" of the snapshot store ${where.location} does not exist${at}.`,
      'Create it, or fix the bucket in QUORUM_SNAPSHOT_STORE (or snapshots.store in the config file); a custom endpoint is AWS_ENDPOINT_URL_S3.',
      { cause: err },
    );
  }
  if (CREDENTIAL_ERRORS.has(name) || status === 401 || status === 403) {
    const none = name === 'CredentialsProviderError';
    return new QuorumError(
      'S3_ACCESS_DENIED',
      none
        ? `No AWS credentials found for the snapshot store ${where.location}.`
        : `The object store${at} refused ${doing} in ${where.location} (${reason}).`,
      CREDENTIALS_HINT,
      { cause: err },
    );
  }
  if (NETWORK_CODES.has(name) || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new QuorumError(
      'S3_UNREACHABLE',
      `The object store${at || ` of ${where.location}`} did not answer ${doing} (${reason}).`,
      'Check AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) and AWS_REGION, and that this machine can reach the endpoint.',
      { cause: err },
    );
  }
  return new QuorumError(
    'S3_OPERATION_FAILED',
    `The object store${at} failed ${doing} in ${where.location} (${reason}).`,
    'Run again; if it persists, check the bucket (versioning, object lock, quotas) and the server’s logs.',
    { cause: err },
  );
}

/** A region is needed before any call: CONFIG_INVALID naming AWS_REGION when there is none. */
export function noRegionError(where: S3Where, err: unknown): QuorumError {
  return new QuorumError(
    'CONFIG_INVALID',
    `The snapshot store ${where.location} needs an AWS region, and none is configured (${describeError(err)}).`,
    'Set AWS_REGION (e.g. AWS_REGION=eu-west-1; any region for an S3-compatible server such as MinIO), or a region in the profile of AWS_PROFILE.',
    { cause: err },
  );
}
