import { describe, expect, it } from 'vitest';
import {
  parseSnapshotName,
  snapshotFileName,
  snapshotId,
} from '../../src/operations/etcd/snapshot-names.js';

const at = new Date('2026-12-01T22:43:20.123Z');

describe('snapshot names', () => {
  it('are <cluster>-<UTC second>-r<revision>.db[.gz]', () => {
    expect(snapshotFileName('prod', at, 41, false)).toBe('prod-20261201T224320Z-r41.db');
    expect(snapshotFileName('prod', at, 41, true)).toBe('prod-20261201T224320Z-r41.db.gz');
  });

  it('stay unique when two snapshots share the second and the revision (an idle cluster)', () => {
    const taken = new Set(['prod-20261201T224320Z-r41', 'prod-20261201T224320Z-r41-2']);
    const file = snapshotFileName('prod', at, 41, true, taken);
    expect(file).toBe('prod-20261201T224320Z-r41-3.db.gz');
    expect(taken.has(snapshotId(file))).toBe(false);
    expect(parseSnapshotName(file)).toEqual({
      cluster: 'prod',
      createdAt: new Date('2026-12-01T22:43:20Z'),
      revision: 41,
      compressed: true,
    });
  });
});
