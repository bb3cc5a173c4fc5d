import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../../src/domain/report.js';
import { capBlocks, fieldSections, section } from '../../../src/render/block-kit/build.js';
import {
  etcdCheckMessage,
  genericReportMessage,
  snapshotListMessage,
  type SlackMessage,
} from '../../../src/render/block-kit/index.js';
import * as fx from './fixtures.js';
import { expectWithinSlackLimits, texts } from './golden.js';

const allText = (m: SlackMessage) =>
  texts(m)
    .map((t) => t.obj.text)
    .join('\n');

describe("Slack's limits", () => {
  it('a report with 200 findings stays within 50 blocks and says how many were left out', () => {
    const severities: Severity[] = ['crit', 'warn', 'warn', 'info', 'ok'];
    const findings: Finding[] = Array.from({ length: 200 }, (_, i) => ({
      id: `rule.${i}`,
      severity: severities[i % severities.length]!,
      title: `Finding number ${i} of the big report`,
      detail: 'Something about it',
      remedy: i % 2 ? 'Do the thing: `quorum etcd check`' : 'Step one\nStep two',
    }));
    const report = { ...fx.etcdCheckReport(), findings };
    const m = etcdCheckMessage(report);
    expectWithinSlackLimits(m);
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    const text = allText(m);
    const shown = findings.filter(
      (f) => text.includes(`${f.title}*`) || text.includes(`${f.title}\n`),
    );
    expect(shown.length).toBeGreaterThan(10);
    const note = /…and (\d+) more findings left out \((.*?)\)/.exec(text);
    expect(note, text.slice(-400)).not.toBeNull();
    expect(Number(note![1]) + shown.length).toBe(200);
    // Worst first: every critical finding that is shown comes before any warning.
    expect(shown.slice(0, 5).every((f) => f.severity === 'crit')).toBe(true);
    expect(note![2]).toMatch(/\d+ warn, \d+ info, \d+ ok/);
    expect(m.blocks.at(-1)).toMatchObject({ type: 'context' });
  });

  it('cuts long text to 3000 (section), 2000 (field) and 150 (header) characters, saying so', () => {
    const long = 'x'.repeat(10_000);
    const report = {
      ...fx.genericReport(),
      cluster: long,
      findings: [{ id: 'a', severity: 'warn' as const, title: long, detail: long, remedy: long }],
    };
    const m = genericReportMessage(report);
    expectWithinSlackLimits(m);
    expect(allText(m)).toContain('… (cut short)');
    const [field] = fieldSections([long])[0]!.fields!;
    expect(field!.text.length).toBeLessThanOrEqual(2000);
    expect(section(long).text!.text.length).toBeLessThanOrEqual(3000);
  });

  it('puts at most 10 fields in a section', () => {
    const members = Array.from({ length: 25 }, (_, i) => ({ ...fx.MEMBERS[0]!, name: `m${i}` }));
    const report = fx.etcdCheckReport();
    report.data.probes = Array.from({ length: 25 }, () => report.data.probes[0]!);
    report.data.view.members = members;
    const m = etcdCheckMessage(report);
    expectWithinSlackLimits(m);
    const sizes = m.blocks.flatMap((b) =>
      b.type === 'section' && b.fields ? [b.fields.length] : [],
    );
    expect(sizes).toEqual([10, 10, 5]);
  });

  it('lists 5000 snapshots in at most 50 blocks and says how many were left out', () => {
    const base = fx.entries()[1]!;
    const many = Array.from({ length: 5_000 }, (_, i) => ({ ...base, id: `prod-snapshot-${i}` }));
    const m = snapshotListMessage('prod', many, fx.NOW);
    expectWithinSlackLimits(m);
    const text = allText(m);
    const listed = many.filter((e) => text.includes(`\`${e.id}\``)).length;
    const note = /…(\d+) older snapshots left out/.exec(text);
    expect(listed).toBeGreaterThan(1_000);
    expect(Number(note?.[1]) + listed).toBe(5_000);
  });

  it('caps any list of blocks at 50 with a note', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => section(`block ${i}`));
    const capped = capBlocks(blocks);
    expect(capped).toHaveLength(50);
    expect(JSON.stringify(capped.at(-1))).toContain('11 more blocks left out');
    expect(capBlocks(blocks.slice(0, 50))).toHaveLength(50);
  });
});
