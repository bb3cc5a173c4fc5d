import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { snapshotStoreSpec } from '../../src/app/snapshots/store-spec.js';
import { s3Error } from '../../src/clients/s3-errors.js';
import { s3Endpoint } from '../../src/clients/snapshot-store-factory.js';
import { loadConfig } from '../../src/config/load.js';
import { parseSnapshotLocation } from '../../src/domain/snapshot-location.js';
import { createLogger } from '../../src/logging.js';

const where = { location: 's3://snaps/etcd', bucket: 'snaps', endpoint: 'http://minio:9000' };

describe('snapshot store locations and config', () => {
  it('parses directories and s3://BUCKET/PREFIX, and refuses credentials in the URL', () => {
    expect(parseSnapshotLocation('/var/backups/etcd')).toEqual({
      ok: true,
      location: { kind: 'dir', dir: '/var/backups/etcd' },
    });
    expect(parseSnapshotLocation('s3://backups/etcd/prod')).toEqual({
      ok: true,
      location: { kind: 's3', bucket: 'backups', prefix: 'etcd/prod/' },
    });
    expect(parseSnapshotLocation('s3://backups')).toMatchObject({ location: { prefix: '' } });
    for (const bad of ['s3://AKIA:secret@backups/x', 's3://Bad_Bucket/x', 'gs://b/x', 's3://b//x'])
      expect(parseSnapshotLocation(bad).ok, bad).toBe(false);
  });

  it('QUORUM_SNAPSHOT_STORE sets the default cluster, wins over QUORUM_SNAPSHOT_DIR; a bad one names the variable', () => {
    const config = loadConfig({
      QUORUM_SNAPSHOT_DIR: '/data/snaps',
      QUORUM_SNAPSHOT_STORE: 's3://backups/etcd',
      QUORUM_S3_FORCE_PATH_STYLE: 'true',
    });
    const cluster = config.clusters[0]!;
    expect(snapshotStoreSpec(config, cluster)).toMatchObject({
      location: { kind: 's3', bucket: 'backups', prefix: 'etcd/' },
      s3: { forcePathStyle: true, checksum: 'SHA256', partSize: 8 * 2 ** 20, queueSize: 4 },
    });
    // --dir / --store on the command line win.
    expect(snapshotStoreSpec(config, cluster, '/tmp/x').location).toEqual({
      kind: 'dir',
      dir: '/tmp/x',
    });
    expect(
      (() => {
        const dirOnly = loadConfig({ QUORUM_SNAPSHOT_DIR: '/data/snaps' });
        return snapshotStoreSpec(dirOnly, dirOnly.clusters[0]!).location;
      })(),
    ).toEqual({
      kind: 'dir',
      dir: '/data/snaps',
    });
    expect(() => loadConfig({ QUORUM_SNAPSHOT_STORE: 's3://Not_A_Bucket/x' })).toThrow(
      /QUORUM_SNAPSHOT_STORE: .*not a bucket name/,
    );
    expect(() => loadConfig({ QUORUM_S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(
      /QUORUM_S3_FORCE_PATH_STYLE/,
    );
  });

  it('S3 failures name what to fix, and carry no credential', () => {
    const denied = s3Error(
      Object.assign(new Error('The AWS Access Key Id you provided does not exist'), {
        name: 'InvalidAccessKeyId',
        $metadata: { httpStatusCode: 403 },
      }),
      where,
      'a listing',
    );
    expect(denied.code).toBe('S3_ACCESS_DENIED');
    expect(denied.hint).toContain('AWS_ACCESS_KEY_ID');
    const bucket = s3Error(
      Object.assign(new Error('no such bucket'), { name: 'NoSuchBucket' }),
      where,
      'a listing',
    );
    expect(bucket.code).toBe('S3_BUCKET_NOT_FOUND');
    expect(bucket.hint).toContain('QUORUM_SNAPSHOT_STORE');
    const down = s3Error(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      where,
      'a listing',
    );
    expect(down.code).toBe('S3_UNREACHABLE');
    expect(down.hint).toContain('AWS_ENDPOINT_URL_S3');
    expect(s3Endpoint({ AWS_ENDPOINT_URL_S3: 'https://user:pw@minio.example:9000/' })).toBe(
      'https://minio.example:9000',
    );
  });

  it('the logger redacts AWS credentials', () => {
    let out = '';
    const logger = createLogger(
      'info',
      new Writable({
        write: (c: Buffer, _e, done) => {
          out += c.toString();
          done();
        },
      }),
    );
    logger.info(
      {
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI' },
        env: { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI', AWS_SESSION_TOKEN: 'FwoGZXIvYXdzE' },
      },
      's3',
    );
    expect(out).not.toContain('wJalrXUtnFEMI');
    expect(out).not.toContain('FwoGZXIvYXdzE');
    expect(out).not.toContain('AKIAEXAMPLE');
  });
});
