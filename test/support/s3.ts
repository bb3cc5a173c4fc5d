/**
 * A local S3-compatible server for tests: s3rver (npm) as a child process on a free
 * port, with its own data directory and buckets created at start. It keeps objects as
 * plain files (`<dir>/<bucket>/<key>._S3rver_object`), so a test can damage one, and
 * unfinished multipart uploads under `<dir>/<bucket>/._S3rver_uploads/<id>/`. A child
 * can be killed (SIGKILL) mid-request and restarted on the same port and directory.
 * Quorum talks to it only through the real AWS SDK over HTTP (SigV4, path style, a
 * custom endpoint), as to any MinIO; its default keys are S3RVER/S3RVER.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { freePort } from './ports.js';
import { canConnect } from './probes.js';
import { spawnChild, tmpDir, waitFor } from './processes.js';

const require = createRequire(import.meta.url);
const S3RVER_BIN = path.join(path.dirname(require.resolve('s3rver/package.json')), 'bin/s3rver.js');

export interface S3Server {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  /** s3rver's data directory. */
  dir: string;
  /** What a Quorum process needs to reach it: endpoint, keys, region, path style. */
  env: Record<string, string>;
  /** The file that holds an object's bytes. */
  objectFile(bucket: string, key: string): string;
  /** Ids of the multipart uploads s3rver holds unfinished in `bucket`. */
  unfinishedUploads(bucket: string): string[];
  /** Part files of one unfinished upload. */
  uploadParts(bucket: string, uploadId: string): string[];
  /** SIGKILL, as a crash or an OOM kill would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startS3(buckets: string[] = ['snaps']): Promise<S3Server> {
  const dir = await tmpDir('quorum-s3rver-');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = ['-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent'];
    for (const b of buckets) args.push('--configure-bucket', b);
    const c = spawnChild(process.execPath, [S3RVER_BIN, ...args]);
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    c.stdout?.resume();
    child = c;
    await waitFor(
      async () => {
        if (c.exitCode !== null) throw new Error(`s3rver exited ${c.exitCode}: ${stderr}`);
        return canConnect('127.0.0.1', port);
      },
      { what: `s3rver on port ${port}`, timeoutMs: 15_000 },
    );
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  await start();
  const uploads = (bucket: string) => path.join(dir, bucket, '._S3rver_uploads');
  return {
    endpoint,
    port,
    dir,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      QUORUM_S3_FORCE_PATH_STYLE: 'true',
    },
    objectFile: (bucket, key) => path.join(dir, bucket, `${key}._S3rver_object`),
    unfinishedUploads: (bucket) =>
      existsSync(uploads(bucket)) ? readdirSync(uploads(bucket)) : [],
    uploadParts: (bucket, id) => {
      const at = path.join(uploads(bucket), id);
      return existsSync(at) ? readdirSync(at).filter((f) => /^\d+$/.test(f)) : [];
    },
    kill: stop,
    restart: start,
    close: stop,
  };
}
