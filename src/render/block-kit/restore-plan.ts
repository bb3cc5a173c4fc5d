/**
 * `/etcd-snapshot restore-plan ID` for Slack: the findings first (an unverified
 * snapshot is a warning), then the pasteable procedure in numbered code blocks,
 * each under Slack's 3000-character section limit and never cutting a command.
 */
import type { MemberInfo } from '../../domain/etcd.js';
import type { Report } from '../../domain/report.js';
import type { Block, SlackMessage } from './blocks.js';
import { capBlocks, codeText, context, divider, header, section } from './build.js';
import { escapeMrkdwn, inlineCode } from './escape.js';
import { findingsBlocks } from './findings.js';
import { reportFallback } from './report-message.js';
import { LIMITS } from './limits.js';
import { splitCode } from './split-code.js';

/** What operations/etcd/restore-plan.ts returns (RestorePlanReport). */
export type RestorePlanResultReport = Report<{
  snapshot: string;
  /** The snapshot file, absolute, where the plan was made. */
  file?: string;
  membersFrom: string;
  members: MemberInfo[];
  text: string;
}>;

/** Room in a section for the code itself: the label line and the fences take the rest. */
const CODE_ROOM = LIMITS.sectionText - 40;

/** The CLI line that prints the whole plan, on the machine that keeps the snapshot. */
const wholePlan = (cluster: string, snapshot: string, file?: string) => {
  const dir = file && file.includes('/') ? file.slice(0, Math.max(1, file.lastIndexOf('/'))) : '';
  return `quorum etcd restore-plan ${snapshot} --cluster ${cluster}${dir ? ` --dir ${dir}` : ''}`;
};

export function restorePlanMessage(report: RestorePlanResultReport): SlackMessage {
  const { snapshot, file, membersFrom, members, text } = report.data;
  const names = members.map((m) => escapeMrkdwn(m.name)).join(', ');
  const head: Block[] = [
    header(`etcd restore plan for ${report.cluster}`),
    section(
      `*Restore ${escapeMrkdwn(report.cluster)} from ${inlineCode(snapshot)}*\n` +
        `Members (from the ${escapeMrkdwn(membersFrom)}): ${names || '?'}`,
    ),
    ...findingsBlocks(report.findings, 6),
    divider(),
  ];
  const tail = context(
    'Run the parts in order; the comments say on which machine each command runs.',
  );
  const parts = splitCode(text, CODE_ROOM);
  const room = LIMITS.blocks - head.length - 1;
  const shown = parts.length > room ? parts.slice(0, room - 1) : parts;
  const code: Block[] = shown.map((p, i) =>
    section(codeText(p, `*Part ${i + 1} of ${parts.length}*\n`)),
  );
  if (shown.length < parts.length) {
    code.push(
      context(
        `_…parts ${shown.length + 1} to ${parts.length} left out: too long for one message. ` +
          `Run ${inlineCode(wholePlan(report.cluster, snapshot, file))} for the whole plan._`,
      ),
    );
  }
  return { text: reportFallback(report, 'ready'), blocks: capBlocks([...head, ...code, tail]) };
}
