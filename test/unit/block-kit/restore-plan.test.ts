import { describe, expect, it } from 'vitest';
import { restorePlanMessage, splitCode } from '../../../src/render/block-kit/index.js';
import * as fx from './fixtures.js';
import { expectWithinSlackLimits, texts } from './golden.js';

const unescape = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The code inside each ``` block of the message, unescaped. */
function codeParts(m: ReturnType<typeof restorePlanMessage>): string[] {
  return texts(m)
    .map((t) => /```\n([\s\S]*)\n```$/.exec(t.obj.text)?.[1])
    .filter((c): c is string => c !== undefined)
    .map(unescape);
}

describe('restore plan in Slack', () => {
  it('splits a long plan into code blocks under 3000 characters, each line exactly once, commands whole', async () => {
    const report = await fx.restorePlanReport(fx.manyMembers());
    expect(report.data.text.length).toBeGreaterThan(6_000);
    const m = restorePlanMessage(report);
    expectWithinSlackLimits(m);
    for (const t of texts(m)) expect(t.obj.text.length).toBeLessThanOrEqual(3000);

    const parts = codeParts(m);
    expect(parts.length).toBeGreaterThan(2);
    const expected = report.data.text.split('\n').filter((l) => l.trim());
    const got = parts.flatMap((p) => p.split('\n')).filter((l) => l.trim());
    expect(got).toEqual(expected);
    for (const p of parts) {
      // A part never ends inside a command: no trailing continuation...
      expect(p.trimEnd().endsWith('\\')).toBe(false);
      // ...and never starts with a continued line's tail.
      expect(p.split('\n')[0]).not.toMatch(/^\s+--/);
    }
    const labels = texts(m)
      .map((t) => /^\*Part (\d+) of (\d+)\*/.exec(t.obj.text)?.[0])
      .filter(Boolean);
    expect(labels).toEqual(parts.map((_, i) => `*Part ${i + 1} of ${parts.length}*`));
  });

  it('keeps a short plan in one piece per step group and says where commands run', async () => {
    const m = restorePlanMessage(await fx.restorePlanReport());
    expect(codeParts(m).join('\n')).toContain('sudo etcdutl snapshot restore');
    expect(JSON.stringify(m)).toContain('&amp;&amp;');
  });

  it('leaves out whole parts, with a note, when a plan does not fit one message', async () => {
    const hundreds = Array.from({ length: 250 }, (_, i) => ({
      ...fx.manyMembers()[0]!,
      name: `member-${i}`,
    }));
    const m = restorePlanMessage(await fx.restorePlanReport(hundreds));
    expectWithinSlackLimits(m);
    const text = texts(m)
      .map((t) => t.obj.text)
      .join('\n');
    expect(text).toMatch(/…parts \d+ to \d+ left out: too long for one message/);
    expect(text).toContain('quorum etcd restore-plan prod-20261126T101458Z-r983412');
  });

  it('splits a command longer than a part between its lines, and cuts only a line longer than a part', () => {
    const long = [
      '# a huge command',
      'run \\',
      ...Array.from({ length: 300 }, (_, i) => `  --flag-${i} value \\`),
      '  --end',
    ];
    const parts = splitCode(long.join('\n'), 1_000);
    expect(parts.every((p) => p.length <= 1_000)).toBe(true);
    expect(parts.flatMap((p) => p.split('\n'))).toEqual(long);
    const [cut] = splitCode('y'.repeat(5_000), 1_000);
    expect(cut!.length).toBeLessThanOrEqual(1_000);
    expect(cut).toMatch(/cut short\)$/);
  });
});
