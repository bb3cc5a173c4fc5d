/**
 * A runbook run in its thread: the checklist (edited as steps end), each step's
 * heading, a manual step with its commands and a Done button, a step skipped by its
 * condition with a Run anyway button, the post-mortem summary, and the catalogue for
 * `/runbook list`. People are Slack mentions throughout.
 */
import type { RunbookRun, StepState, TimelineEntry } from '../../domain/runbook-run.js';
import { filledStep, type Runbook, type RunbookStep } from '../../domain/runbook.js';
import type { Block, SlackMessage } from './blocks.js';
import { codeText, context, header, plain, section, textMessage } from './build.js';
import { escapeMrkdwn, inlineCode, mention, utcText } from './escape.js';
import { LIMITS, truncate } from './limits.js';
import { SIGN } from './verdict.js';

export const MANUAL_DONE_ACTION_ID = 'runbook.done';
/** A step skipped by its `when:`: ask for it anyway (an action through the normal approval). */
export const RUN_ANYWAY_ACTION_ID = 'runbook.anyway';

const STATUS_SIGN: Record<StepState['status'], string> = {
  pending: '◻',
  running: '⏳',
  waiting: '⏸',
  done: '☑',
  failed: SIGN.crit,
  skipped: '⤼',
  expired: '⌛',
};

const esc = (s: string, max = 200) => escapeMrkdwn(truncate(s, max));
const who = (s: string) => mention(truncate(s, 80));

/** `text` escaped, with the person it names (`by`, a raw id in it) as a mention. */
function naming(text: string, by: string | undefined, max = 200): string {
  const escaped = esc(text, max);
  if (!by) return escaped;
  const raw = escapeMrkdwn(by);
  return raw && escaped.includes(raw) ? escaped.split(raw).join(mention(by)) : escaped;
}

function stepLine(step: RunbookStep, state: StepState, n: number): string {
  const sign =
    state.status === 'done' && state.severity ? doneSign(state) : STATUS_SIGN[state.status];
  const waiting =
    state.status === 'waiting'
      ? step.kind === 'action'
        ? ' — waiting for approval'
        : ' — waiting for Done'
      : '';
  const summary = state.summary ? ` — ${naming(state.summary, state.by)}` : '';
  return `${sign} ${n}. _${step.phase}_ · ${esc(step.title, 150)}${waiting}${summary}`;
}

function doneSign(state: StepState): string {
  return state.severity === 'crit'
    ? SIGN.crit
    : state.severity === 'warn'
      ? SIGN.warn
      : STATUS_SIGN.done;
}

export function checklistMessage(run: RunbookRun, runbook: Runbook): SlackMessage {
  const lines = runbook.steps.map((step, i) =>
    stepLine(
      filledStep(step, run.params),
      run.steps[i] ?? { id: step.id, status: 'pending' },
      i + 1,
    ),
  );
  const state = run.finishedAt
    ? run.outcome === 'stopped'
      ? `${SIGN.crit} stopped`
      : `${SIGN.ok} completed`
    : '⏳ in progress';
  const params = Object.entries(run.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return {
    text: escapeMrkdwn(`Runbook ${run.title}: ${state}`),
    blocks: [
      section(`*Runbook: ${esc(run.title)}* on *${esc(run.cluster, 60)}* — ${state}`),
      section(truncate(lines.join('\n'), LIMITS.sectionText)),
      context(
        `${params ? `${inlineCode(truncate(params, 300))} · ` : ''}started by ${who(run.startedBy)} · run \`${run.id}\``,
      ),
    ],
  };
}

/** Posted when a step starts: what it looks at or does, and what its result will mean. */
export function stepStartedMessage(step: RunbookStep, n: number, of: number): SlackMessage {
  const head = `*Step ${n}/${of} · ${step.phase} — ${esc(step.title, 150)}*`;
  const text = step.explain ? `${head}\n${esc(step.explain, 2_000)}` : head;
  return { text: truncate(text, 3_000), blocks: [section(truncate(text, LIMITS.sectionText))] };
}

/** A step whose `when:` was false: why, and (a job step) a Run anyway button. */
export function skippedStepMessage(
  run: RunbookRun,
  step: RunbookStep,
  reason: string,
  n: number,
  of: number,
): SlackMessage {
  const head = `*Step ${n}/${of} · ${step.phase} — ${esc(step.title, 150)}*`;
  const text = `${head}\n${STATUS_SIGN.skipped} skipped: ${esc(reason, 1_000)}`;
  const blocks: Block[] = [section(truncate(text, LIMITS.sectionText))];
  if (step.kind !== 'manual') {
    const how =
      step.kind === 'action'
        ? 'Run anyway asks for approval as usual.'
        : 'Run anyway runs it now (it only reads).';
    blocks.push(context(how), {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: RUN_ANYWAY_ACTION_ID,
          text: plain('Run anyway', LIMITS.buttonText),
          value: `${run.id}|${step.id}`,
        },
      ],
    });
  }
  return { text: truncate(escapeMrkdwn(`Skipped: ${step.title}: ${reason}`), 3_000), blocks };
}

export function manualStepMessage(
  run: RunbookRun,
  step: RunbookStep,
  commands: string[],
  n: number,
  of: number,
  doneBy?: { by: string; at: number },
): SlackMessage {
  const blocks: Block[] = [stepStartedMessage(step, n, of).blocks[0] as Block];
  if (commands.length) blocks.push(section(codeText(commands.join('\n'))));
  if (doneBy) {
    blocks.push(context(`☑ Done by ${who(doneBy.by)} at ${utcText(doneBy.at)}`));
  } else {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: MANUAL_DONE_ACTION_ID,
          text: plain('Done', LIMITS.buttonText),
          style: 'primary',
          value: `${run.id}|${step.id}`,
        },
      ],
    });
  }
  return { text: escapeMrkdwn(`Manual step: ${truncate(step.title, 150)}`), blocks };
}

/** The thread's last word: what happened, in order, and who did what. */
export function postMortemMessage(
  run: RunbookRun,
  alertTimeline: { at: number; text: string }[] = [],
): SlackMessage {
  const entries: TimelineEntry[] = [...alertTimeline, ...run.timeline].sort((a, b) => a.at - b.at);
  const lines = entries.map((e) => `\`${utcText(e.at).slice(11, 16)}\`  ${naming(e.text, e.who)}`);
  const body = truncate(lines.join('\n'), LIMITS.sectionText);
  return {
    text: escapeMrkdwn(`Post-mortem summary: ${run.title}`),
    blocks: [
      header('Post-mortem summary'),
      section(`*${esc(run.title)}* on *${esc(run.cluster, 60)}* — ${run.outcome ?? 'in progress'}`),
      section(body),
      context('Times in UTC. Add the root cause and follow-ups before you close the incident.'),
    ],
  };
}

export function runbookListMessage(runbooks: readonly Runbook[]): SlackMessage {
  const lines = runbooks.map(
    (r) =>
      `• \`${r.id}\` — ${esc(r.title, 100)}${r.match.alertnames.length ? ` _(alerts: ${esc(r.match.alertnames.join(', '), 300)})_` : ''}`,
  );
  return {
    text: `${runbooks.length} runbooks`,
    blocks: [
      section(`*Runbooks* — start one with \`/runbook run ID [CLUSTER] [key=value …]\``),
      section(truncate(lines.join('\n'), LIMITS.sectionText)),
    ],
  };
}

/** The root of a thread started by hand: `/runbook run`. */
export function runbookRootMessage(
  runbook: Runbook,
  cluster: string,
  userId: string,
  params: Record<string, string>,
): SlackMessage {
  const p = Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const text = `📋 Runbook *${esc(runbook.title)}* on *${esc(cluster, 60)}*, started by ${mention(userId)}${p ? ` (\`${esc(p, 300)}\`)` : ''} — the steps follow in the thread`;
  return textMessage(text);
}
