/**
 * Prometheus's own linter for a scrape: Debian's `promtool check metrics` (package
 * `prometheus`, which .ci/run installs) reads the exposition text on stdin and prints
 * one line per problem (exit 3 when there is any).
 */
import { existsSync } from 'node:fs';
import { runCommand } from './processes.js';

export const PROMTOOL = '/usr/bin/promtool';

export async function promtoolCheckMetrics(
  text: string,
): Promise<{ code: number; output: string }> {
  if (!existsSync(PROMTOOL)) {
    throw new Error(`${PROMTOOL} is missing: apt-get install prometheus (bash .ci/run does)`);
  }
  const r = await runCommand(PROMTOOL, ['check', 'metrics'], { input: text, timeoutMs: 20_000 });
  return { code: r.code, output: `${r.stdout}${r.stderr}`.trim() };
}
