/**
 * The line a running drain shows in its thread: how many pods are out, and which
 * budgets hold how many back.
 */
import { describe, expect, it } from 'vitest';
import { blockedGroups, drainProgressText } from '../../src/operations/kube/drain-progress.js';

const text = (done: number, total: number, budgets: (string | undefined)[], failed = 0) =>
  drainProgressText({ done, total, blocked: blockedGroups(budgets), failed });

describe('drain progress text', () => {
  it('counts evictions, and names the one budget that blocks', () => {
    expect(text(0, 120, [])).toBe('evicted 0/120');
    expect(text(37, 120, ['db-pdb', 'db-pdb'])).toBe('evicted 37/120, 2 blocked by db-pdb');
  });

  it('names several budgets, most pods first, then by name', () => {
    expect(text(37, 120, ['cache-pdb', 'db-pdb', 'db-pdb'])).toBe(
      'evicted 37/120, 2 blocked by db-pdb, 1 by cache-pdb',
    );
    expect(text(5, 9, ['web', 'api', 'web', 'api'])).toBe(
      'evicted 5/9, 2 blocked by api, 2 by web',
    );
  });

  it('says so when the API server named no budget, and counts failed evictions', () => {
    expect(text(3, 10, ['db-pdb', undefined], 1)).toBe(
      'evicted 3/10, 1 blocked by db-pdb, 1 blocked (429, no budget named), 1 failed',
    );
    expect(text(3, 10, [undefined, undefined])).toBe(
      'evicted 3/10, 2 blocked (429, no budget named)',
    );
  });
});
