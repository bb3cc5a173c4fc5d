/**
 * Golden files for Block Kit output: `UPDATE_GOLDEN=1 npx vitest run test/unit/block-kit`
 * writes test/golden/block-kit/NAME.json; otherwise the rendering must equal the file.
 * Also: the checks every rendered message must pass (Slack's limits, no stray mentions,
 * and, at compile time, that the blocks are @slack/types KnownBlocks).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KnownBlock } from '@slack/types';
import { expect } from 'vitest';
import type { SlackMessage, TextObject } from '../../../src/render/block-kit/blocks.js';

const DIR = path.resolve(import.meta.dirname, '../../golden/block-kit');

export function expectGolden(name: string, value: unknown): void {
  const file = path.join(DIR, `${name}.json`);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(
      `No golden file ${file}: run with UPDATE_GOLDEN=1 to write it, then review it.`,
    );
  }
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

/** Compile-time: our blocks are what @slack/web-api's chat.postMessage takes. */
export const asKnownBlocks = (m: SlackMessage): KnownBlock[] => m.blocks;

/** Every text object in a message, with what kind of place it sits in. */
export function texts(m: SlackMessage): { where: string; obj: TextObject }[] {
  const out: { where: string; obj: TextObject }[] = [];
  for (const b of m.blocks) {
    if (b.type === 'header') out.push({ where: 'header', obj: b.text });
    if (b.type === 'section') {
      if (b.text) out.push({ where: 'section', obj: b.text });
      for (const f of b.fields ?? []) out.push({ where: 'field', obj: f });
    }
    if (b.type === 'context') for (const e of b.elements) out.push({ where: 'context', obj: e });
    if (b.type === 'actions')
      for (const e of b.elements) out.push({ where: 'button', obj: e.text });
  }
  return out;
}

/** Slack's limits, and the rules Quorum adds (verbatim mrkdwn, no empty text). */
export function expectWithinSlackLimits(m: SlackMessage): void {
  expect(m.blocks.length).toBeLessThanOrEqual(50);
  expect(m.text.length).toBeGreaterThan(0);
  for (const b of m.blocks) {
    if (b.type === 'section') {
      expect(b.text ?? b.fields).toBeDefined();
      expect((b.fields ?? []).length).toBeLessThanOrEqual(10);
    }
    if (b.type === 'context') expect(b.elements.length).toBeLessThanOrEqual(10);
    if (b.type === 'actions')
      for (const e of b.elements) expect((e.value ?? '').length).toBeLessThanOrEqual(2000);
  }
  const max = { header: 150, section: 3000, field: 2000, context: 3000, button: 75 };
  for (const { where, obj } of texts(m)) {
    expect(obj.text.trim().length, where).toBeGreaterThan(0);
    expect(obj.text.length, `${where}: ${obj.text.slice(0, 60)}`).toBeLessThanOrEqual(
      max[where as keyof typeof max],
    );
    if (obj.type === 'mrkdwn') expect(obj.verbatim, where).toBe(true);
  }
}

/**
 * Slack control sequences (`<…>`) in the mrkdwn text and the fallback text: the only
 * ones allowed are dates and mentions of `allowedUsers`.
 */
export function expectOnlyOwnControlSequences(m: SlackMessage, allowedUsers: string[] = []): void {
  const mrkdwn = [
    m.text,
    ...texts(m)
      .filter((t) => t.obj.type === 'mrkdwn')
      .map((t) => t.obj.text),
  ];
  for (const text of mrkdwn) {
    for (const [seq] of text.matchAll(/<[^>]*>?/g)) {
      const ok = seq.startsWith('<!date^') || allowedUsers.some((u) => seq === `<@${u}>`);
      expect(ok, `unexpected control sequence ${seq} in: ${text}`).toBe(true);
    }
  }
}
