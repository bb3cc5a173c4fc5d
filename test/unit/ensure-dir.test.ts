import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDir } from '../../src/operations/etcd/ensure-dir.js';

describe('ensureDir (the snapshot directory)', () => {
  it('creates missing components with mode 0700 and accepts an existing directory', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'quorum-ensure-'));
    const dir = path.join(base, 'a', 'b', 'c');
    await ensureDir(dir);
    expect((await stat(dir)).isDirectory()).toBe(true);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    await ensureDir(dir);
  });

  it('fails with the kernel’s code where Node’s recursive mkdir spins forever (/proc)', async () => {
    await expect(ensureDir('/proc/quorum-no-such-dir/snapshots')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('fails with ENOTDIR when a component is a file', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'quorum-ensure-'));
    await writeFile(path.join(base, 'file'), 'x');
    await expect(ensureDir(path.join(base, 'file', 'snapshots'))).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
  });
});
