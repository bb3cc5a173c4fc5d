/**
 * Text Quorum puts in inline code stays one code span: a backtick in a snapshot id, a
 * user-typed snapshot name or an approval's action cannot end the span early and let the
 * rest be read as mrkdwn (bold, italic, a link) — what the reader sees is the text.
 */
import { describe, expect, it } from 'vitest';
import { inlineCode } from '../../../src/render/block-kit/escape.js';
import {
  approvalRequestMessage,
  restorePlanMessage,
  snapshotListMessage,
  type SlackMessage,
} from '../../../src/render/block-kit/index.js';
import * as fx from './fixtures.js';
import { texts } from './golden.js';

const TRICKY = 'snap` *bold* _it_ `<!here>';

/** Every inline code span in the message's mrkdwn, and what is left outside them. */
function spans(text: string): { code: string[]; outside: string } {
  const code: string[] = [];
  const outside = text.replace(/```[\s\S]*?```/g, '').replace(/`([^`\n]+)`/g, (_, c: string) => {
    code.push(c);
    return '';
  });
  return { code, outside };
}
/** The mrkdwn Slack formats (plain_text is never formatted). */
const mrkdwnOf = (m: SlackMessage) =>
  texts(m)
    .filter((t) => t.obj.type === 'mrkdwn')
    .map((t) => t.obj.text)
    .join('\n');

describe('inline code', () => {
  it('is escaped and holds a backtick without closing', () => {
    expect(inlineCode('a`b <c> & *d*')).toBe('`aˋb &lt;c&gt; &amp; *d*`');
    expect(spans(inlineCode(TRICKY))).toEqual({
      code: ['snapˋ *bold* _it_ ˋ&lt;!here&gt;'],
      outside: '',
    });
  });

  it('keeps a snapshot id with backticks inside its span in the list', () => {
    const list = fx.entries().map((e, i) => (i === 0 ? { ...e, id: TRICKY } : e));
    const { code, outside } = spans(mrkdwnOf(snapshotListMessage('prod', list, fx.NOW)));
    expect(code).toContain('snapˋ *bold* _it_ ˋ&lt;!here&gt;');
    expect(outside).not.toContain('*bold*');
  });

  it('keeps a user-typed snapshot name whole in the restore plan', async () => {
    const report = await fx.restorePlanReport();
    report.data.snapshot = TRICKY;
    const { outside } = spans(mrkdwnOf(restorePlanMessage(report)));
    expect(outside).not.toMatch(/\*bold\*|_it_/);
  });

  it("keeps an approval's request id inside its span", () => {
    const m = approvalRequestMessage({
      id: TRICKY,
      cluster: 'prod',
      action: 'etcd.defrag',
      params: {},
      requestedBy: 'U024BE7LH',
      expiresAt: fx.NOW.getTime(),
      status: 'pending',
    });
    const { code, outside } = spans(mrkdwnOf(m));
    expect(code).toContain('snapˋ *bold* _it_ ˋ&lt;!here&gt;');
    expect(outside).not.toMatch(/\*bold\*|_it_/);
  });
});
