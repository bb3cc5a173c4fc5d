/**
 * The four-eyes approval request: cluster, action, its exact parameters, who asked,
 * when it expires (in each reader's time zone), and Approve / Reject buttons whose
 * value is the request id. Once decided or expired the message is replaced by a
 * version without buttons that says who decided and when.
 */
import type { Approval } from '../../domain/approval.js';
import type { ActionsBlock, Block, SlackMessage } from './blocks.js';
import { codeText, context, fieldSections, header, plain, section } from './build.js';
import { escapeMrkdwn, inlineCode, mention, slackDate, utcText } from './escape.js';
import { LIMITS, truncate } from './limits.js';
import { kindLabel, SIGN } from './verdict.js';

export const APPROVE_ACTION_ID = 'approval.approve';
export const REJECT_ACTION_ID = 'approval.reject';

/** What the message shows of an approval (domain/approval.ts's Approval fits). */
export type ApprovalView = Pick<
  Approval,
  | 'id'
  | 'cluster'
  | 'action'
  | 'params'
  | 'requestedBy'
  | 'expiresAt'
  | 'status'
  | 'decidedBy'
  | 'decidedAt'
  | 'intentError'
>;

const title = (a: ApprovalView) => `${kindLabel(a.action)} on ${a.cluster}`;

function paramsBlock(a: ApprovalView): Block {
  const lines = Object.entries(a.params).map(([k, v]) => `${k}=${String(v)}`);
  return lines.length
    ? section(codeText(lines.join('\n'), '*Exact parameters*\n'))
    : section('*Exact parameters:* none');
}

function describe(a: ApprovalView, heading: string, verb: string): Block[] {
  const what = `*${escapeMrkdwn(kindLabel(a.action))}* on *${escapeMrkdwn(a.cluster)}*`;
  return [
    header(`${heading}: ${title(a)}`),
    ...fieldSections(
      [
        `*Cluster*\n${escapeMrkdwn(a.cluster)}`,
        `*Action*\n${inlineCode(a.action)}`,
        `*Expires*\n${slackDate(a.expiresAt)}`,
      ],
      `${mention(a.requestedBy)} ${verb} to run ${what}.`,
    ),
    paramsBlock(a),
  ];
}

function buttons(a: ApprovalView): ActionsBlock {
  const value = truncate(a.id, LIMITS.buttonValue, '');
  return {
    type: 'actions',
    block_id: truncate(`approval.${a.id}`, 255, ''),
    elements: [
      {
        type: 'button',
        action_id: APPROVE_ACTION_ID,
        text: plain('Approve', LIMITS.buttonText),
        style: 'primary',
        value,
      },
      {
        type: 'button',
        action_id: REJECT_ACTION_ID,
        text: plain('Reject', LIMITS.buttonText),
        style: 'danger',
        value,
      },
    ],
  };
}

const idNote = (a: ApprovalView) => `Request ${inlineCode(a.id)}`;

export function approvalRequestMessage(a: ApprovalView): SlackMessage {
  return {
    text: escapeMrkdwn(`Approval needed: ${title(a)} (expires ${utcText(a.expiresAt)})`),
    blocks: [
      ...describe(a, 'Approval needed', 'asks'),
      context(
        `Only an approver other than the requester can approve; the requester may reject (withdraw) it. ${idNote(a)}`,
      ),
      buttons(a),
    ],
  };
}

/** After the decision: who approved or rejected it, and when (and why its job could not be queued); no buttons. */
export function approvalDecidedMessage(a: ApprovalView): SlackMessage {
  const approved = a.status === 'approved';
  const withdrawn = !approved && a.decidedBy === a.requestedBy;
  const word = approved ? 'Approved' : withdrawn ? 'Withdrawn' : 'Rejected';
  const when = a.decidedAt !== undefined ? ` ${slackDate(a.decidedAt)}` : '';
  const who = a.decidedBy ? ` by ${mention(a.decidedBy)}` : '';
  const next = !approved
    ? 'Nothing was changed.'
    : a.intentError
      ? `But it could not be queued: ${escapeMrkdwn(a.intentError)} Nothing was changed; ask again once that is fixed.`
      : 'It runs now; the result follows in the thread.';
  return {
    text: escapeMrkdwn(`${word}: ${title(a)}`),
    blocks: [
      ...describe(a, word, 'asked'),
      section(`${approved ? SIGN.ok : SIGN.crit} *${word}*${who}${when}. ${next}`),
      context(idNote(a)),
    ],
  };
}

/** Nobody decided in time; no buttons. */
export function approvalExpiredMessage(a: ApprovalView): SlackMessage {
  return {
    text: escapeMrkdwn(`Expired: ${title(a)}`),
    blocks: [
      ...describe(a, 'Expired', 'asked'),
      section(
        `⌛ *Expired* ${slackDate(a.expiresAt)}: nobody decided in time, nothing was changed. Run the command again to ask anew.`,
      ),
      context(idNote(a)),
    ],
  };
}

/** The right version for the approval's state at `nowMs`. */
export function approvalMessage(a: ApprovalView, nowMs: number): SlackMessage {
  if (a.status !== 'pending') return approvalDecidedMessage(a);
  return nowMs >= a.expiresAt ? approvalExpiredMessage(a) : approvalRequestMessage(a);
}
