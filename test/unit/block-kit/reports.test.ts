import { describe, expect, it } from 'vitest';
import {
  alarmDisarmMessage,
  alarmsMessage,
  compactMessage,
  defragMessage,
  errorMessage,
  etcdCheckMessage,
  genericReportMessage,
  restorePlanMessage,
  snapshotListMessage,
  snapshotResultMessage,
  snapshotVerifyMessage,
  type SlackMessage,
} from '../../../src/render/block-kit/index.js';
import * as fx from './fixtures.js';
import {
  asKnownBlocks,
  expectGolden,
  expectOnlyOwnControlSequences,
  expectWithinSlackLimits,
} from './golden.js';

function check(name: string, messages: Record<string, SlackMessage>): void {
  for (const m of Object.values(messages)) {
    asKnownBlocks(m);
    expectWithinSlackLimits(m);
    expectOnlyOwnControlSequences(m);
  }
  expectGolden(name, messages);
}

describe('Block Kit report messages (golden)', () => {
  it('etcd check: members as fields, findings by severity, remedies', () => {
    const m = etcdCheckMessage(fx.etcdCheckReport());
    check('etcd-check', { degraded: m });
    expect(m.text).toBe('etcd check of prod: ▲ 3 warnings');
    expect(m.blocks[2]).toMatchObject({ type: 'section', fields: [{}, {}, {}] });
  });

  it('snapshot taken, snapshot failed, snapshot verified', () => {
    check('snapshot', {
      saved: snapshotResultMessage(fx.snapshotReport()),
      failed: snapshotResultMessage(fx.failedSnapshotReport()),
      verified: snapshotVerifyMessage(fx.verifyReport()),
    });
  });

  it('snapshot list, and an empty one', () => {
    check('snapshot-list', {
      list: snapshotListMessage('prod', fx.entries(), fx.NOW),
      empty: snapshotListMessage('staging', [], fx.NOW),
    });
  });

  it('defrag done and defrag stopped; compaction; alarms; disarm', () => {
    check('maintenance', {
      defrag: defragMessage(fx.defragReport()),
      defragStopped: defragMessage(fx.defragReport(true)),
      compact: compactMessage(fx.compactReport()),
      alarms: alarmsMessage(fx.alarmsReport()),
      disarm: alarmDisarmMessage(fx.disarmReport()),
    });
  });

  it('restore plan', async () => {
    check('restore-plan', { threeMembers: restorePlanMessage(await fx.restorePlanReport()) });
  });

  it('a report kind without its own renderer, and errors', () => {
    const [unreachable, config] = fx.errors();
    check('report', { generic: genericReportMessage(fx.genericReport()) });
    check('error', { unreachable: errorMessage(unreachable!), config: errorMessage(config!) });
  });
});
