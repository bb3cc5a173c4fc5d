/**
 * A job's progress reply says where it stands in words a reader can trust: the job and
 * its standing, with names from the cluster (a budget's) shown as text, never as a
 * mention or a link, and a long standing cut short inside Slack's limits.
 */
import { describe, expect, it } from 'vitest';
import { progressReplyMessage } from '../../../src/render/block-kit/index.js';
import { expectWithinSlackLimits, texts } from './golden.js';

const shown = (m: ReturnType<typeof progressReplyMessage>) => texts(m).map((t) => t.obj.text);

describe('progressReplyMessage', () => {
  it('names the job and where it stands, in the notification and the blocks', () => {
    const m = progressReplyMessage('drain of prod', 'evicted 37/120, 2 blocked by db-pdb');
    expect(m.text).toBe('drain of prod: evicted 37/120, 2 blocked by db-pdb');
    expect(shown(m)[0]).toBe('*drain of prod* — evicted 37/120, 2 blocked by db-pdb');
    expect(shown(m)[1]).toMatch(/edited in place as it runs/);
    expectWithinSlackLimits(m);
  });

  it('shows a budget named <!channel> as text, and cuts a long standing short', () => {
    const step = `evicted 1/2, 1 blocked by <!channel>${'x'.repeat(4_000)}`;
    const m = progressReplyMessage('drain of prod', step);
    for (const t of [m.text, ...shown(m)]) {
      expect(t).not.toContain('<!channel>');
      expect(t.length).toBeLessThanOrEqual(3_000);
    }
    expect(m.text).toContain('&lt;!channel&gt;');
    expectWithinSlackLimits(m);
  });
});
