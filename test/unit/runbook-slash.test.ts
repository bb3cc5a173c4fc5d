import { describe, expect, it } from 'vitest';
import { QuorumError } from '../../src/domain/errors.js';
import { parseSlashCommand } from '../../src/transport/slack/commands/parse.js';

const ctx = { clusters: ['prod', 'staging'], runbooks: ['node-not-ready', 'etcd-no-leader'] };
const usage = (text: string) => {
  try {
    parseSlashCommand('/runbook', text, ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(QuorumError);
    return `${(err as QuorumError).message}\n${(err as QuorumError).hint ?? ''}`;
  }
  throw new Error('expected a usage error');
};

describe('/runbook', () => {
  it('lists, and runs with a cluster and key=value parameters', () => {
    expect(parseSlashCommand('/runbook', 'list', ctx)).toEqual({ action: 'runbook.list' });
    expect(parseSlashCommand('/runbook', 'run node-not-ready prod node=worker-1', ctx)).toEqual({
      action: 'runbook.run',
      runbook: 'node-not-ready',
      cluster: 'prod',
      params: { node: 'worker-1' },
    });
  });

  it('answers typos with the closest runbook, cluster or subcommand', () => {
    expect(usage('run node-not-redy prod')).toMatch(
      /No runbook "node-not-redy"[\s\S]*Did you mean node-not-ready/,
    );
    expect(usage('run etcd-no-leader prdo')).toMatch(/Did you mean prod/);
    expect(usage('lsit')).toMatch(/Did you mean list/);
    expect(usage('run etcd-no-leader')).toMatch(/Name the cluster/);
    expect(usage('run etcd-no-leader prod staging')).toMatch(/Unexpected "staging"/);
  });
});
