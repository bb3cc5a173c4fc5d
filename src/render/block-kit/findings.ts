/**
 * Findings for Slack, grouped by severity (worst first, a sign per severity): each
 * critical or warning finding in its own section with its detail, its remedy below
 * it (a context line, or a code block when it spans lines); info and ok findings
 * packed into few sections. Rendered within a block budget: what does not fit is
 * counted in a closing note, so a report with 200 findings still fits one message.
 */
import type { Finding, Severity } from '../../domain/report.js';
import type { Block } from './blocks.js';
import { codeText, context, md, section } from './build.js';
import { escapeMrkdwn } from './escape.js';
import { LIMITS, truncate } from './limits.js';
import { SIGN } from './verdict.js';

const ORDER: Severity[] = ['crit', 'warn', 'info', 'ok'];
const GROUP: Record<Severity, string> = {
  crit: 'Critical',
  warn: 'Warnings',
  info: 'Information',
  ok: 'OK',
};

interface Unit {
  blocks: Block[];
  /** The findings these blocks show. */
  findings: Finding[];
}

const title = (f: Finding) => escapeMrkdwn(truncate(f.title, 300));
const detail = (f: Finding) => (f.detail ? escapeMrkdwn(truncate(f.detail, 1_500)) : '');

function remedyBlock(remedy: string): Block {
  return remedy.includes('\n')
    ? section(codeText(remedy, '*What to do*\n'))
    : context(`*What to do:* ${escapeMrkdwn(truncate(remedy, LIMITS.contextText - 40))}`);
}

/** A critical or warning finding: its own section, and its remedy. */
function loudUnit(f: Finding): Unit {
  const d = detail(f);
  const text = `${SIGN[f.severity]} *${title(f)}*${d ? `\n${d}` : ''}`;
  return { blocks: [section(text), ...(f.remedy ? [remedyBlock(f.remedy)] : [])], findings: [f] };
}

/** Info and ok findings, one line each (plus detail and remedy), packed into sections. */
function quietUnits(findings: Finding[]): Unit[] {
  const units: Unit[] = [];
  let lines: string[] = [];
  let shown: Finding[] = [];
  const flush = () => {
    if (lines.length) units.push({ blocks: [section(lines.join('\n'))], findings: shown });
    lines = [];
    shown = [];
  };
  for (const f of findings) {
    const extra = [detail(f), f.remedy ? `→ ${escapeMrkdwn(truncate(f.remedy, 500))}` : '']
      .filter(Boolean)
      .map((t) => `      _${t.replace(/\n/g, ' ')}_`);
    const line = [`${SIGN[f.severity]} ${title(f)}`, ...extra].join('\n');
    if (lines.length && [...lines, line].join('\n').length > LIMITS.sectionText - 100) flush();
    lines.push(line);
    shown.push(f);
  }
  flush();
  return units;
}

function groupUnits(severity: Severity, findings: Finding[]): Unit[] {
  const loud = severity === 'crit' || severity === 'warn';
  const units = loud ? findings.map(loudUnit) : quietUnits(findings);
  // The group's heading opens its first section: never a heading with nothing under it.
  const first = units[0]?.blocks[0];
  if (first?.type === 'section' && first.text) {
    const heading = `*${SIGN[severity]} ${GROUP[severity]} (${findings.length})*`;
    first.text = md(`${heading}\n${first.text.text}`);
  }
  return units;
}

function omittedNote(left: Finding[], hint: string): Block {
  const bySev = ORDER.map((s) => [s, left.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const n = left.length;
  return context(
    `_…and ${n} more finding${n === 1 ? '' : 's'} left out (${bySev}): Slack shows at most ${LIMITS.blocks} blocks.${hint ? ` ${hint}` : ''}_`,
  );
}

/**
 * Blocks for `findings` using at most `budget` blocks. `hint` (mrkdwn, escaped by the
 * caller) tells where to see everything, e.g. "Run `quorum etcd check --cluster prod`.".
 */
export function findingsBlocks(findings: readonly Finding[], budget: number, hint = ''): Block[] {
  if (findings.length === 0) return [section('_No findings._')];
  const units = ORDER.flatMap((s) => {
    const group = findings.filter((f) => f.severity === s);
    return group.length ? groupUnits(s, group) : [];
  });
  const out: Block[] = [];
  let kept = 0;
  for (const [i, unit] of units.entries()) {
    const last = i === units.length - 1;
    // Keep one block free for the note, unless this is the last unit.
    if (out.length + unit.blocks.length > budget - (last ? 0 : 1)) break;
    out.push(...unit.blocks);
    kept += 1;
  }
  if (kept === units.length) return out;
  return [
    ...out,
    omittedNote(
      units.slice(kept).flatMap((u) => u.findings),
      hint,
    ),
  ];
}
