/** The S3 client and settings one snapshot store uses, and the calls every part of it makes. */
import { GetObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { S3StoreSettings } from '../domain/snapshot-location.js';
import { digestOf } from '../operations/etcd/snapshot-hash.js';
import { s3Error, type S3Where } from './s3-errors.js';

export interface S3StoreInput {
  bucket: string;
  /** Empty or ending with `/`. */
  prefix: string;
  settings: S3StoreSettings;
  /** The custom endpoint (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL), for messages and the restore plan. */
  endpoint?: string;
}

/** What the sink, the upload cleanup and the listing share. */
export interface S3Context extends S3Where {
  client: S3Client;
  prefix: string;
  settings: S3StoreSettings;
  /** Encryption and storage class for every object written. */
  put: Pick<PutObjectCommandInput, 'ServerSideEncryption' | 'SSEKMSKeyId' | 'StorageClass'> &
    Pick<PutObjectCommandInput, 'ChecksumAlgorithm'>;
  url(key: string): string;
}

export function s3Context(input: S3StoreInput): S3Context {
  const { settings } = input;
  const when = settings.checksum === 'off' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
  const client = new S3Client({
    forcePathStyle: settings.forcePathStyle,
    requestChecksumCalculation: when,
    responseChecksumValidation: when,
    // A silent server fails a request after 2 minutes instead of never.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
  const prefix = input.prefix;
  return {
    client,
    bucket: input.bucket,
    prefix,
    settings,
    endpoint: input.endpoint,
    location: `s3://${input.bucket}${prefix ? `/${prefix.replace(/\/$/, '')}` : ''}`,
    put: {
      ...(settings.serverSideEncryption
        ? { ServerSideEncryption: settings.serverSideEncryption }
        : {}),
      ...(settings.kmsKeyId ? { SSEKMSKeyId: settings.kmsKeyId } : {}),
      ...(settings.storageClass
        ? { StorageClass: settings.storageClass as PutObjectCommandInput['StorageClass'] }
        : {}),
      ...(settings.checksum !== 'off' ? { ChecksumAlgorithm: settings.checksum } : {}),
    },
    url: (key) => `s3://${input.bucket}/${key}`,
  };
}

/** A call whose failure becomes a QuorumError naming what to fix. */
export async function send<T>(ctx: S3Where, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw s3Error(err, ctx, doing);
  }
}

/** SHA-256 and size of the object as the server returns it now. */
export async function readBack(ctx: S3Context, key: string) {
  const out = await send(ctx, 'reading back the upload', () =>
    ctx.client.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key })),
  );
  return digestOf(out.Body as Readable);
}
