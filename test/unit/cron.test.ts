/**
 * Cron patterns are checked once at the edge, by the parser BullMQ's job schedulers use
 * (cron-parser, UTC): what the scheduler would refuse never gets past the config file.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { checkCron } from '../../src/domain/cron.js';
import { QuorumError } from '../../src/domain/errors.js';

const configWithCron = (cron: string) => () =>
  loadConfig({ QUORUM_CONFIG: 'test.yaml' }, () =>
    JSON.stringify({
      clusters: [{ name: 'prod', etcd: { endpoints: ['http://127.0.0.1:2379'] } }],
      schedules: { prod: { snapshot: { cron } } },
    }),
  );

describe('checkCron', () => {
  it('accepts what the scheduler runs: five fields, or six with seconds; names and L', () => {
    for (const p of ['0 */6 * * *', '*/15 * * * *', '0 6 * * MON', '0 0 L * *', '30 0 0 * * *'])
      expect(checkCron(p)).toEqual({ ok: true, pattern: p });
    expect(checkCron('  0   6 * * 1 ')).toEqual({ ok: true, pattern: '0 6 * * 1' });
  });

  it('refuses what passed the old character check and failed inside BullMQ, naming the field', () => {
    expect(checkCron('1e309 * * * *')).toEqual({
      ok: false,
      problem: 'the minute field "1e309" is wrong (Invalid characters, got value: 1e309)',
    });
    expect(checkCron('/etc/shadow * * * *')).toMatchObject({ ok: false });
    expect(checkCron('*bold* * * * *')).toMatchObject({ ok: false });
    expect(checkCron('0 0 * 13 *')).toMatchObject({
      problem: expect.stringMatching(/^the month field "13" is wrong/),
    });
    expect(checkCron('0 0 30 2 *')).toMatchObject({
      problem: expect.stringMatching(/never meet on a date/),
    });
    expect(checkCron('@daily')).toMatchObject({
      problem: 'it has 1 field, not five (minute hour day-of-month month day-of-week)',
    });
  });
});

describe('the config file’s schedules', () => {
  it('refuse a cron pattern the scheduler would refuse, with the key and the field', () => {
    let err: unknown;
    try {
      configWithCron('1e309 * * * *')();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuorumError);
    expect((err as QuorumError).code).toBe('CONFIG_INVALID');
    expect((err as QuorumError).message).toMatch(
      /schedules\.prod\.snapshot\.cron.*the minute field "1e309" is wrong/,
    );
  });

  it('take a good one', () => {
    expect(configWithCron('0 */6 * * *')().schedules.prod?.snapshot?.cron).toBe('0 */6 * * *');
  });
});
