/**
 * Where a cluster's snapshots are kept: a local directory, or S3-compatible object
 * storage written `s3://BUCKET/PREFIX`. Parsed once, here, for the config schema and
 * for the command line's `--store`.
 */
export type SnapshotLocation =
  | { kind: 'dir'; dir: string }
  /** `prefix` is empty or ends with `/`. */
  | { kind: 's3'; bucket: string; prefix: string };

/** S3's bucket naming rules (3–63 characters, lower case, digits, dots and dashes). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The location, or what is wrong with the text (with a right example). */
export function parseSnapshotLocation(
  text: string,
): { ok: true; location: SnapshotLocation } | { ok: false; problem: string } {
  const value = text.trim();
  if (!value)
    return { ok: false, problem: 'is empty; e.g. /var/backups/etcd or s3://backups/etcd' };
  if (!/^s3:\/\//i.test(value)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
      return {
        ok: false,
        problem: `"${value}": only s3:// URLs and paths; e.g. s3://backups/etcd`,
      };
    return { ok: true, location: { kind: 'dir', dir: value } };
  }
  const rest = value.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1);
  if (bucket.includes('@') || bucket.includes(':'))
    return {
      ok: false,
      problem:
        'carries credentials or a port: write s3://BUCKET/PREFIX and give the keys as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the endpoint as AWS_ENDPOINT_URL_S3',
    };
  if (!BUCKET.test(bucket) || bucket.includes('..'))
    return {
      ok: false,
      problem: `"${bucket}" is not a bucket name (3–63 lower-case letters, digits, dots, dashes); e.g. s3://backups/etcd`,
    };
  if (prefix.startsWith('/') || prefix.includes('//'))
    return { ok: false, problem: `"${value}" has an empty path segment; e.g. s3://${bucket}/etcd` };
  return {
    ok: true,
    location: {
      kind: 's3',
      bucket,
      prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix,
    },
  };
}

/** How a location is printed: the path as given, or `s3://bucket/prefix`. */
export function formatSnapshotLocation(location: SnapshotLocation): string {
  return location.kind === 'dir'
    ? location.dir
    : `s3://${location.bucket}${location.prefix ? `/${location.prefix.replace(/\/$/, '')}` : ''}`;
}

/** How Quorum writes to S3 (config `snapshots.s3`); credentials, region and endpoint come from the AWS SDK's chain. */
export interface S3StoreSettings {
  /** `bucket` in the path, not the host name (MinIO and most S3-compatible servers). */
  forcePathStyle: boolean;
  /** SSE-S3 (`AES256`) or SSE-KMS (`aws:kms`, with `kmsKeyId` or the bucket's default key). */
  serverSideEncryption?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  /** e.g. STANDARD_IA; the bucket's default when unset. */
  storageClass?: string;
  /**
   * S3's own checksums on every request (a first check; Quorum reads every upload back
   * anyway): SHA256 or CRC32; `off` sends and validates them only where an operation
   * requires it (for older S3-compatible servers that refuse them).
   */
  checksum: 'SHA256' | 'CRC32' | 'off';
  /** Bytes per uploaded part; memory in flight is partSize × queueSize. */
  partSize: number;
  /** Parts uploaded at once. */
  queueSize: number;
}
