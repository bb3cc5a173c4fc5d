/**
 * The snapshot directory's commit: what was written is read back (two reused buffers,
 * snapshot-hash.ts `digestFile`) and compared before the file gets its name and its
 * sidecar. A file that changed on disk after it was written is removed, never listed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { SnapshotMeta } from '../../src/domain/snapshot.js';
import { digestFile } from '../../src/operations/etcd/snapshot-hash.js';
import { tempFileName } from '../../src/operations/etcd/snapshot-names.js';
import { dirSnapshotStore } from '../../src/operations/etcd/store/dir-snapshot-store.js';
import { META } from './block-kit/fixtures.js';

const FILE = 'prod-20261202T101500Z-r42.db';
/** More than three of digestFile's 1 MiB reads, and not a multiple of them. */
const BYTES = randomBytes(3 * 2 ** 20 + 12_345);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The fixtures' snapshot metadata, for FILE and `bytes`. */
const metaOf = (bytes: Buffer): SnapshotMeta => ({
  ...META,
  id: FILE.replace(/\.db$/, ''),
  file: FILE,
  size: bytes.length,
  streamSize: bytes.length,
  sha256: sha256(bytes),
});

/** A store in a new directory with BYTES written to a sink for FILE, not yet committed. */
async function written() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quorum-dirstore-'));
  const store = dirSnapshotStore(dir);
  await store.prepare();
  const sink = await store.create(FILE);
  sink.stream.end(BYTES);
  await finished(sink.stream);
  return { dir, store, sink, temp: path.join(dir, tempFileName(FILE, process.pid)) };
}

describe('the snapshot directory reads back what it wrote', () => {
  it('digestFile hashes a file across several reads exactly as one hash of its bytes', async () => {
    const { temp } = await written();
    await expect(digestFile(temp)).resolves.toEqual({ sha256: sha256(BYTES), size: BYTES.length });
  });

  it('a file read back as written is named, 0600, and listed with its sidecar', async () => {
    const { dir, store, sink } = await written();
    const committed = await sink.commit(metaOf(BYTES));
    expect(committed).toEqual({ ok: true, location: path.join(dir, FILE) });
    expect((await stat(path.join(dir, FILE))).mode & 0o777).toBe(0o600);
    const [entry] = await store.list('prod');
    expect(entry).toMatchObject({ id: 'prod-20261202T101500Z-r42', size: BYTES.length });
    expect((await readdir(dir)).sort()).toEqual([FILE, `${FILE}.json`]);
  });

  it('a byte changed on disk after writing: not kept, the temp file removed, nothing listed', async () => {
    const { dir, store, sink, temp } = await written();
    const handle = await open(temp, 'r+');
    await handle.write(Buffer.from([(BYTES[2 ** 20 + 7] as number) ^ 0xff]), 0, 1, 2 ** 20 + 7);
    await handle.close();
    const committed = await sink.commit(metaOf(BYTES));
    expect(committed).toMatchObject({
      ok: false,
      problem: expect.stringMatching(
        /read back differs from what was written \(3158073 of 3158073 bytes, SHA-256 different\); it was removed/,
      ) as unknown,
    });
    expect(await readdir(dir)).toEqual([]);
    expect(await store.list('prod')).toEqual([]);
  });
});
