/**
 * The texts the reporter sends to Slack: progress (of the root message, or of the one
 * progress reply of a job with no root), the verdict
 * that replaces it, the full report in the thread, a failure. Plain mrkdwn around the
 * terminal renderer for now; Block Kit renderers slot in here.
 */
import { formatBytes, formatDuration } from '../../domain/units.js';
import type { Report } from '../../domain/report.js';
import type { Progress } from '../../domain/snapshot.js';
import { renderReportText } from '../../render/terminal/report.js';
import { headline } from '../../render/terminal/text.js';

/** Slack shows about 4,000 characters of a message before "show more"; keep replies inside. */
const MAX_TEXT = 3_800;

/** "etcd snapshot of prod". */
export function jobTitle(title: string, cluster: string): string {
  return `${title} of ${cluster}`;
}

/** `defragmenting m1 (2 of 3)`, `streaming (48 MiB)`, `evicted 37/120, 2 blocked by db-pdb`. */
export function progressStep(p: Progress): string {
  const amount =
    p.total !== undefined
      ? ` (${p.done ?? 0} of ${p.total})`
      : p.done !== undefined
        ? ` (${formatBytes(p.done)})`
        : '';
  return `${p.step}${amount}`;
}

export function progressText(title: string, p: Progress): string {
  return `:hourglass_flowing_sand: ${title}: ${progressStep(p)}`;
}

/** The one-line verdict the root message ends with. */
export function verdictText(report: Report, title: string): string {
  return headline(report, title);
}

/** The full report, as the terminal shows it, in a code block. */
export function reportText(report: Report, title: string): string {
  const text = renderReportText(report, title).trimEnd();
  const cut = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}\n… (cut)` : text;
  return `\`\`\`\n${cut}\n\`\`\``;
}

export function failureText(title: string, reason: string, retryInMs?: number): string {
  if (retryInMs === undefined) return `:x: ${title} failed: ${reason}`;
  return `:warning: ${title}: attempt failed (${reason}); trying again in ${formatDuration(retryInMs)}`;
}
