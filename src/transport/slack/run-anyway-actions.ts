/**
 * Run anyway clicks on a step its condition skipped, as Slack delivers them: hand the
 * click to the runbook engine (app/runbooks/run-anyway.ts) and tell the clicker what
 * it answers. Nothing here decides anything.
 */
import type { RunbookEngine } from '../../app/runbooks/engine.js';

export interface RunAnywayClick {
  /** The button's value: `run|step`. */
  value: string;
  userId: string;
  /** An ephemeral answer to whoever clicked. */
  tell(text: string): Promise<void>;
}

export async function handleRunAnywayClick(
  engine: RunbookEngine | undefined,
  click: RunAnywayClick,
): Promise<void> {
  if (!engine) {
    await click.tell('Runbooks are not available in this process. Nothing was changed.');
    return;
  }
  const [runId = '', stepId = ''] = click.value.split('|');
  const answer = await engine.runAnyway(runId, stepId, click.userId);
  if (answer) await click.tell(answer);
}
