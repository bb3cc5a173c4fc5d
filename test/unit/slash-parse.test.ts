import { describe, expect, it } from 'vitest';
import { QuorumError } from '../../src/domain/errors.js';
import { parseSlashCommand } from '../../src/transport/slack/commands/parse.js';
import { tokenize } from '../../src/transport/slack/commands/tokenize.js';

const one = { clusters: ['prod'] };
const two = { clusters: ['prod', 'staging'] };
const fails = (command: string, text: string, ctx = two) => {
  try {
    parseSlashCommand(command, text, ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(QuorumError);
    return `${(err as QuorumError).message}\n${(err as QuorumError).hint ?? ''}`;
  }
  throw new Error('expected a usage error');
};

describe('/k8s-upgrade-check', () => {
  it('takes a version and the cluster, or the only cluster', () => {
    expect(parseSlashCommand('/k8s-upgrade-check', 'v1.32.0', one)).toEqual({
      action: 'upgrade.check',
      cluster: 'prod',
      to: 'v1.32.0',
    });
    expect(parseSlashCommand('/k8s-upgrade-check', '1.32.0-rc.1 staging', two)).toEqual({
      action: 'upgrade.check',
      cluster: 'staging',
      to: '1.32.0-rc.1',
    });
  });

  it('answers a bad version with what is wrong, an example and the usage', () => {
    const minorOnly = fails('/k8s-upgrade-check', '1.31 prod');
    expect(minorOnly).toMatch(/"1\.31" is not a Kubernetes version.*e\.g\. v1\.31\.4/);
    expect(minorOnly).toMatch(/stable-1\.31\.txt/);
    expect(minorOnly).toMatch(/Usage:\n\/k8s-upgrade-check VERSION \[CLUSTER\]/);
    expect(fails('/k8s-upgrade-check', '')).toMatch(
      /Give the Kubernetes version.*e\.g\. v1\.32\.0/,
    );
    expect(fails('/k8s-upgrade-check', 'prod v1.32.0')).toMatch(
      /Version first: \/k8s-upgrade-check v1\.32\.0 prod/,
    );
    expect(fails('/k8s-upgrade-check', 'v1.32.0')).toMatch(/Name the cluster/);
    expect(fails('/k8s-upgrade-check', 'v1.32.0 prdo')).toMatch(/Did you mean prod\?/);
    expect(fails('/k8s-upgrade-check', 'v1.32.0 prod now')).toMatch(/Unexpected "now"/);
  });
});

describe('slash command parsing', () => {
  it('tokenizes quotes, curly quotes and key=value', () => {
    expect(tokenize(`a "b c" 'd e' “0 */6 * * *” node=cp-1`)).toEqual([
      'a',
      'b c',
      'd e',
      '0 */6 * * *',
      'node=cp-1',
    ]);
    expect(() => tokenize('cron "0 * * *')).toThrow(/quote is not closed/);
  });

  it('takes the only cluster when none is named, and insists when several exist', () => {
    expect(parseSlashCommand('/etcd-check', '', one)).toEqual({
      action: 'etcd.check',
      cluster: 'prod',
    });
    expect(parseSlashCommand('/etcd-check', 'staging', two)).toEqual({
      action: 'etcd.check',
      cluster: 'staging',
    });
    expect(fails('/etcd-check', '')).toMatch(
      /Name the cluster: 2 are configured \(prod, staging\)/,
    );
  });

  it('suggests the closest cluster or subcommand', () => {
    expect(fails('/etcd-check', 'prdo')).toMatch(
      /No cluster named "prdo"[\s\S]*Did you mean prod\?/,
    );
    expect(fails('/etcd-snapshot', 'lsit')).toMatch(/Did you mean list\?/);
    expect(fails('/etcd-snapshot', 'sheddule')).toMatch(/Did you mean schedule\?/);
  });

  it('parses every /etcd-snapshot form', () => {
    expect(parseSlashCommand('/etcd-snapshot', 'prod', two)).toEqual({
      action: 'etcd.snapshot',
      cluster: 'prod',
    });
    expect(parseSlashCommand('/etcd-snapshot', 'list', one)).toEqual({
      action: 'etcd.snapshot.list',
      cluster: 'prod',
    });
    expect(parseSlashCommand('/etcd-snapshot', 'schedule prod every 6h', two)).toEqual({
      action: 'etcd.snapshot.schedule',
      cluster: 'prod',
      schedule: { every: 6 * 3_600_000 },
    });
    expect(parseSlashCommand('/etcd-snapshot', 'schedule cron "0 */6 * * *"', one)).toMatchObject({
      schedule: { cron: '0 */6 * * *' },
    });
    expect(parseSlashCommand('/etcd-snapshot', 'schedule staging off', two)).toMatchObject({
      cluster: 'staging',
      schedule: { off: true },
    });
    expect(
      parseSlashCommand('/etcd-snapshot', 'restore-plan prod-20261126T101500Z-r42', two),
    ).toEqual({
      action: 'etcd.restore-plan',
      cluster: 'prod',
      snapshotId: 'prod-20261126T101500Z-r42',
    });
  });

  it('rejects bad schedules, ids and extra words with the right form', () => {
    expect(fails('/etcd-snapshot', 'schedule prod every 5s')).toMatch(
      /not an interval of a minute or more/,
    );
    expect(fails('/etcd-snapshot', 'schedule prod cron "every day"')).toMatch(/not a cron pattern/);
    expect(fails('/etcd-snapshot', 'restore-plan ../../etc/passwd')).toMatch(
      /is not a snapshot id/,
    );
    expect(fails('/etcd-defrag', 'prod now please')).toMatch(/Unexpected "now please"/);
    expect(fails('/etcd-defrag', 'prod now please')).toMatch(/Usage:\n\/etcd-defrag \[CLUSTER\]/);
  });

  it('checks a cron pattern with the scheduler’s own parser, naming the bad field', () => {
    // All three passed the old character check and then failed inside BullMQ.
    for (const [pattern, field] of [
      ['1e309 * * * *', 'minute'],
      ['/etc/shadow * * * *', 'minute'],
      ['*bold* * * * *', 'minute'],
      ['0 25 * * *', 'hour'],
      ['0 0 * * 1W', 'day-of-week'],
    ]) {
      const said = fails('/etcd-snapshot', `schedule prod cron "${pattern}"`);
      expect(said).toContain(`"${pattern}" is not a cron pattern: the ${field} field`);
      expect(said).toMatch(/e\.g\. cron "0 \*\/6 \* \* \*"/);
      expect(said).toMatch(/Usage:\n\/etcd-snapshot \[CLUSTER\]/);
    }
    expect(fails('/etcd-snapshot', 'schedule prod cron "0 0 30 2 *"')).toMatch(
      /never meet on a date/,
    );
    expect(fails('/etcd-snapshot', 'schedule prod cron "0 0 * *"')).toMatch(/4 fields, not five/);
    expect(parseSlashCommand('/etcd-snapshot', 'schedule cron " 15  3 * * MON "', one)).toEqual({
      action: 'etcd.snapshot.schedule',
      cluster: 'prod',
      schedule: { cron: '15 3 * * MON' },
    });
  });

  it('survives hostile input without crashing', () => {
    expect(fails('/etcd-check', '<!channel>')).toMatch(/No cluster named "<!channel>"/);
    expect(fails('/etcd-check', 'prod <@U123> &amp;')).toMatch(/Unexpected "<@U123> &amp;"/);
    expect(fails('/etcd-check', 'x'.repeat(10_000))).toMatch(/too long/);
    expect(fails('/etcd-check', '🔥💥 ñ \u0000 \u202e')).toMatch(/No cluster named|Unexpected/);
    expect(fails('/etcd-check', "prod; rm -rf / ' OR 1=1 --")).toMatch(
      /quote is not closed|Unexpected/,
    );
    expect(fails('/k8s-upgrade-check', '<!channel>')).toMatch(/not a Kubernetes version/);
    expect(parseSlashCommand('/quorum', 'help', two)).toEqual({ action: 'help' });
  });
});
