import { describe, expect, it } from 'vitest';
import type { MemberInfo } from '../../../src/domain/etcd.js';
import {
  approvalRequestMessage,
  defragMessage,
  errorMessage,
  escapeMrkdwn,
  etcdCheckMessage,
  mention,
  restorePlanMessage,
  rootMessage,
  snapshotListMessage,
  truncate,
  type SlackMessage,
} from '../../../src/render/block-kit/index.js';
import * as fx from './fixtures.js';
import { expectOnlyOwnControlSequences, texts } from './golden.js';

const EVIL = '<!channel> <!here> <@U0EVIL> <https://evil.example|click me> & co';

describe('escapeMrkdwn and mention', () => {
  it('turns &, < and > into entities, nothing else', () => {
    expect(escapeMrkdwn(EVIL)).toBe(
      '&lt;!channel&gt; &lt;!here&gt; &lt;@U0EVIL&gt; &lt;https://evil.example|click me&gt; &amp; co',
    );
    expect(escapeMrkdwn('*bold* _it_ `code` &amp;')).toBe('*bold* _it_ `code` &amp;amp;');
  });

  it('mentions only well-formed user IDs', () => {
    expect(mention('U024BE7LH')).toBe('<@U024BE7LH>');
    expect(mention('W0123ABCD')).toBe('<@W0123ABCD>');
    for (const who of ['U123><!channel', '<!here>', 'S0614TZR7', 'alice@cp-1 (cli)'])
      expect(mention(who)).not.toMatch(/<[@!]/);
  });

  it('never cuts an entity or a control sequence in two', () => {
    const text = `${'x'.repeat(90)}&amp;<@U024BE7LH> tail`;
    for (let max = 80; max < 130; max++) {
      const cut = truncate(text, max, '…');
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).not.toMatch(/&[a-z]*…|<[^>]*…/);
    }
  });
});

describe('user- and cluster-controlled text is inert', () => {
  const evilMembers: MemberInfo[] = fx.MEMBERS.map((m) => ({ ...m, name: `${m.name}${EVIL}` }));

  function expectInert(m: SlackMessage, allowed: string[] = []): void {
    expectOnlyOwnControlSequences(m, allowed);
    const all = [m.text, ...texts(m).map((t) => t.obj.text)].join('\n');
    expect(all).toContain('&lt;!channel&gt;');
  }

  it('in an etcd check: cluster name, member names, findings', () => {
    const report = fx.etcdCheckReport(EVIL, evilMembers);
    report.findings.push({ id: 'x', severity: 'crit', title: EVIL, detail: EVIL, remedy: EVIL });
    report.findings.push({ id: 'y', severity: 'info', title: EVIL, detail: EVIL, remedy: EVIL });
    report.couldNotRun = EVIL;
    expectInert(etcdCheckMessage(report));
  });

  it('in snapshot lists, defrag results, errors and root messages', () => {
    const list = fx
      .entries()
      .map((e) => ({ ...e, id: `${e.id}${EVIL}`, problem: EVIL, verified: false }));
    expectInert(snapshotListMessage(EVIL, list, fx.NOW));
    const defrag = fx.defragReport(true);
    defrag.data.members = defrag.data.members.map((m) => ({ ...m, name: EVIL, error: EVIL }));
    expectInert(defragMessage(defrag));
    expectInert(errorMessage({ code: 'USAGE', message: `${EVIL}\n${EVIL}`, hint: EVIL }));
    expectInert(rootMessage('etcd.check', EVIL, 'U024BE7LH', { status: 'running', step: EVIL }), [
      'U024BE7LH',
    ]);
    expectInert(rootMessage(EVIL, 'prod', EVIL, { status: 'failed' }));
  });

  it('in a restore plan with hostile member names', async () => {
    expectInert(restorePlanMessage(await fx.restorePlanReport(evilMembers)));
  });

  it('in an approval request: cluster, action and parameters', () => {
    const m = approvalRequestMessage({
      id: 'abc',
      cluster: EVIL,
      action: EVIL,
      params: { [EVIL]: EVIL, n: 3 },
      requestedBy: 'U024BE7LH',
      expiresAt: fx.NOW.getTime(),
      status: 'pending',
    });
    expectInert(m, ['U024BE7LH']);
  });
});
