/**
 * Splitting a long shell text into parts that each fit one Slack code block, never
 * cutting a command in half: steps (blank-line separated) stay whole when they fit;
 * a step too long for one part is split between commands, where a command is a line
 * plus its `\` continuation lines, with the comment lines just above it.
 */
import { escapeCode } from './escape.js';
import { truncate } from './limits.js';

/** Commands of one step, each with the comments that precede it. */
function commandsOf(lines: string[]): string[][] {
  const units: string[][] = [];
  let current: string[] = [];
  let continued = false;
  for (const line of lines) {
    current.push(line);
    const comment = !continued && line.trimStart().startsWith('#');
    continued = line.trimEnd().endsWith('\\');
    if (!comment && !continued) {
      units.push(current);
      current = [];
    }
  }
  if (current.length) units.push(current);
  return units;
}

function steps(text: string): string[][] {
  const out: string[][] = [[]];
  for (const line of text.split('\n')) {
    if (line.trim() === '') out.push([]);
    else out[out.length - 1]?.push(line);
  }
  return out.filter((s) => s.length > 0);
}

/**
 * Parts of `text`, each at most `max` characters once escaped for a code block.
 * Joined with blank lines they give back every line of `text` once, in order (blank
 * lines inside a step aside). A single line longer than `max` (never seen in a
 * plan) is the one thing cut short, with a note.
 */
export function splitCode(text: string, max: number): string[] {
  const size = (lines: string[]) => escapeCode(lines.join('\n')).length;
  const parts: string[][] = [];
  let current: string[] = [];
  const add = (lines: string[], separator: string[]) => {
    const joined = current.length ? [...current, ...separator, ...lines] : lines;
    if (size(joined) <= max) {
      current = joined;
      return true;
    }
    if (current.length) parts.push(current);
    current = [];
    if (size(lines) <= max) {
      current = lines;
      return true;
    }
    return false;
  };
  for (const step of steps(text)) {
    if (add(step, [''])) continue;
    for (const [i, command] of commandsOf(step).entries()) {
      if (add(command, i === 0 ? [''] : [])) continue;
      // A command longer than a whole part: its lines one by one, a too-long line cut
      // (escaping makes a character at most 5: `&` → `&amp;`).
      for (const line of command) {
        add([size([line]) <= max ? line : truncate(line, Math.floor(max / 5))], []);
      }
    }
  }
  if (current.length) parts.push(current);
  return parts.map((p) => p.join('\n'));
}
