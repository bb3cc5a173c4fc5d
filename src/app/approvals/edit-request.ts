/**
 * Edits of the request message, through the outbox like every Slack write. The request
 * was posted directly (its ts is in the record, or learnt from a click on it) or by the
 * outbox under a ref (the outbox resolves it). One outbox id per outcome, so the click
 * and a sweep editing alike send one edit.
 */
import type { Approval } from '../../domain/approval.js';
import type { OutboxWriter } from '../../domain/outbox-message.js';
import type { SlackMessage } from '../../render/block-kit/index.js';

/** False when the request's message is not known (nothing to edit) or the edit was sent already. */
export function editRequest(
  outbox: OutboxWriter,
  a: Approval,
  version: 'decided' | 'expired',
  message: SlackMessage,
): Promise<boolean> {
  const at = a.messageTs ? { ts: a.messageTs } : a.messageRef ? { ref: a.messageRef } : undefined;
  if (!at) return Promise.resolve(false);
  return outbox.push({
    op: 'update',
    id: `approval-${a.id}-${version}`,
    channel: a.channel,
    ...at,
    text: message.text,
    blocks: message.blocks,
    final: true,
  });
}
