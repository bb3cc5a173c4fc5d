/**
 * `/k8s-upgrade-check` for Slack: go / no-go, findings by severity, then the first hop's
 * plan as pasteable code blocks (each under the section limit, never cutting a
 * command; comments say where each step runs). When a large cluster's plan does not fit
 * one message, the workers' steps are shown once, for `$NODE`, with the list of workers;
 * later hops are named, and the CLI prints every hop in full.
 */
import type { Report } from '../../domain/report.js';
import type { Block, SlackMessage } from './blocks.js';
import { capBlocks, codeText, context, divider, header, section } from './build.js';
import { escapeMrkdwn } from './escape.js';
import { findingsBlocks } from './findings.js';
import { LIMITS, truncate } from './limits.js';
import { genericReportMessage } from './report-message.js';
import { splitCode } from './split-code.js';
import { countFindings, countsText, kindLabel, SIGN } from './verdict.js';

/** The part of operations/upgrade/precheck.ts's UpgradeCheckReport this renderer reads. */
interface StepView {
  title: string;
  node?: string;
  on: 'node' | 'admin';
  phase: string;
  commands: string[];
}

export type UpgradeCheckMessageView = Report<{
  verdict: 'go' | 'no-go';
  from: string;
  to: string;
  hops: { from: string; to: string }[];
  plans: { from: string; to: string; steps: StepView[] }[];
  etcd: { members: string[]; target: string; confirmed: boolean };
}>;

/** Room in a section for the code: the label line and the fences take the rest. */
const CODE_ROOM = LIMITS.sectionText - 40;
const FINDINGS_BUDGET = 22;
const WORKERS_LISTED = 60;

const where = (s: StepView) =>
  s.on === 'node' && s.node ? `on ${s.node}` : 'from an admin machine';

function stepText(n: number | string, s: StepView): string {
  return [`# ${n}. ${s.title} (${where(s)})`, ...s.commands].join('\n');
}

/** Every step, numbered, blank lines between: what splitCode cuts into parts. */
function fullText(steps: StepView[]): string {
  return steps.map((s, i) => stepText(i + 1, s)).join('\n\n');
}

const wordRe = (name: string) =>
  new RegExp(`(?<![\\w.-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.-])`, 'g');

/** The workers' steps once, for `$NODE`, after the list of workers; the other steps in full. */
function compactText(steps: StepView[]): string {
  const workers = [...new Set(steps.filter((s) => s.phase === 'workers').map((s) => s.node ?? ''))];
  const model = workers.find((w) =>
    steps.some((s) => s.node === w && s.phase === 'workers' && s.title.startsWith('Uncordon')),
  );
  const first = model ?? workers[0] ?? '';
  const template = steps
    .filter((s) => s.phase === 'workers' && s.node === first)
    .map((s) => ({
      ...s,
      node: '$NODE',
      title: s.title.replace(wordRe(first), '$NODE'),
      commands: s.commands.map((c) => c.replace(wordRe(first), '"$NODE"')),
    }));
  const listed = workers.slice(0, WORKERS_LISTED);
  const names: string[] = [];
  for (let i = 0; i < listed.length; i += 8) names.push(`#   ${listed.slice(i, i + 8).join(' ')}`);
  if (workers.length > listed.length)
    names.push(`#   … and ${workers.length - listed.length} more (kubectl get nodes)`);
  const cordoned = steps.filter((s) => s.phase === 'workers' && s.commands.length === 0 && s.node);
  const header = [
    `# Then each of the ${workers.length} workers, one at a time, with NODE set to its name:`,
    ...names,
    ...(cordoned.length
      ? [`# Leave cordoned (skip the uncordon): ${cordoned.map((s) => s.node).join(' ')}`]
      : []),
    'NODE=name-of-the-worker',
  ].join('\n');
  const before = steps.filter((s) => s.phase !== 'workers' && s.phase !== 'verify');
  const after = steps.filter((s) => s.phase === 'verify');
  let n = 0;
  const num = (s: StepView) => stepText(++n, s);
  return [...before.map(num), header, ...template.map(num), ...after.map(num)].join('\n\n');
}

function planBlocks(report: UpgradeCheckMessageView, room: number): Block[] {
  const { plans, verdict, hops } = report.data;
  const plan = plans[0];
  if (!plan) return [];
  const label = `*Plan: ${escapeMrkdwn(plan.from)} → ${escapeMrkdwn(plan.to)}*${verdict === 'no-go' ? ' · _fix the critical findings first_' : ''}`;
  const later = hops.slice(1).map((h) => `${escapeMrkdwn(h.from)} → ${escapeMrkdwn(h.to)}`);
  const cli = `\`quorum upgrade check --to ${escapeMrkdwn(report.data.to)} --cluster ${escapeMrkdwn(report.cluster)}\``;
  const tail: Block[] = [
    ...(later.length
      ? [
          context(
            `Then ${later.join(', then ')}: run the check again before each hop; ${cli} prints every hop's plan.`,
          ),
        ]
      : []),
    context('Run the parts in order, one node at a time; each step says where it runs.'),
  ];
  const space = room - tail.length;
  let parts = splitCode(fullText(plan.steps), CODE_ROOM);
  if (parts.length > space) parts = splitCode(compactText(plan.steps), CODE_ROOM);
  const shown = parts.length > space ? parts.slice(0, Math.max(0, space - 1)) : parts;
  const code: Block[] = shown.map((p, i) =>
    section(codeText(p, `${i === 0 ? `${label}\n` : ''}*Part ${i + 1} of ${parts.length}*\n`)),
  );
  if (shown.length < parts.length) {
    code.push(
      context(
        `_…parts ${shown.length + 1} to ${parts.length} left out: too long for one message. Run ${cli} for the whole plan._`,
      ),
    );
  }
  return [...code, ...tail];
}

export function upgradeCheckMessage(report: UpgradeCheckMessageView): SlackMessage {
  if (report.couldNotRun) return genericReportMessage(report);
  const { verdict, from, to, hops, etcd } = report.data;
  const { criticals, warnings } = countFindings(report.findings);
  const sign = criticals ? SIGN.crit : warnings ? SIGN.warn : SIGN.ok;
  const word = verdict === 'go' ? 'GO' : 'NO-GO';
  const counts = countsText(criticals, warnings);
  const members = [...new Set(etcd.members)].join(', ') || 'unknown';
  const head: Block[] = [
    header(`${kindLabel(report.kind)} of ${report.cluster}`),
    section(`*${sign} ${word}* for ${escapeMrkdwn(to)}${counts ? ` · ${counts}` : ''}`),
    context(
      escapeMrkdwn(
        `${from} → ${to} · ${hops.length} hop${hops.length === 1 ? '' : 's'} · etcd ${members} now, ${etcd.target} at ${to.split('.').slice(0, 2).join('.')}${etcd.confirmed ? '' : ' (needs confirmation)'}`,
      ),
    ),
    divider(),
  ];
  const hint = `Run \`quorum upgrade check --to ${escapeMrkdwn(to)} --cluster ${escapeMrkdwn(report.cluster)}\` for the full report.`;
  const findings = findingsBlocks(report.findings, FINDINGS_BUDGET, hint);
  const used = head.length + findings.length + 1;
  const plan = planBlocks(report, LIMITS.blocks - used);
  const text = truncate(
    `${escapeMrkdwn(`${kindLabel(report.kind)} of ${report.cluster} to ${to}`)}: ${word}${counts ? ` · ${sign} ${counts}` : ''}`,
    LIMITS.fallbackText,
  );
  return {
    text,
    blocks: capBlocks([...head, ...findings, ...(plan.length ? [divider(), ...plan] : [])]),
  };
}
