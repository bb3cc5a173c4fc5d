/**
 * reportFailure: what turns a report into a failed job. An action that refused, stopped
 * or could not run failed; a report whose findings are crit did not, by itself.
 */
import { describe, expect, it } from 'vitest';
import { reportFailure, type Finding, type Report } from '../../src/domain/report.js';

const report = (extra: Partial<Report> = {}, findings: Finding[] = []): Report => ({
  kind: 'etcd.defrag',
  cluster: 'prod',
  startedAt: '2024-01-01T00:00:00.000Z',
  finishedAt: '2024-01-01T00:00:01.000Z',
  findings,
  data: {},
  ...extra,
});
const crit: Finding = { id: 'etcd.quorum', severity: 'crit', title: 'No quorum' };

describe('reportFailure', () => {
  it('is undefined for a report that did its work, crit findings included', () => {
    expect(reportFailure(report())).toBeUndefined();
    expect(reportFailure(report({ kind: 'etcd.check' }, [crit]))).toBeUndefined();
  });

  it('names how an incomplete operation ended and why', () => {
    const refused = report(
      { incomplete: { how: 'refused', reason: 'm1: not started: m0 is unhealthy' } },
      [crit],
    );
    expect(reportFailure(refused)).toBe('refused: m1: not started: m0 is unhealthy');
    const stopped = report({ incomplete: { how: 'stopped', reason: 'raised again: NOSPACE' } });
    expect(reportFailure(stopped)).toBe('stopped: raised again: NOSPACE');
  });

  it('counts an operation that could not run as failed, before anything else', () => {
    const r = report({
      couldNotRun: 'No etcd member answered.',
      incomplete: { how: 'refused', reason: 'x' },
    });
    expect(reportFailure(r)).toBe('could not run: No etcd member answered.');
  });
});
