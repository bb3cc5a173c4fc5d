/**
 * Redis beyond one server in the configuration (issue 19): REDIS_SENTINELS,
 * REDIS_SENTINEL_MASTER, REDIS_PASSWORD, REDIS_SENTINEL_PASSWORD and their file keys
 * parsed once, bad values refused naming the variable and a right value, the options
 * every connection is built from, and the passwords kept out of the log.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { redisConnection } from '../../src/config/redis-connection.js';
import { QuorumError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/logging.js';

const fromFile = (yaml: string, env: Record<string, string> = {}) =>
  loadConfig({ QUORUM_CONFIG: 'quorum.yaml', ...env }, () => yaml);

const failure = (load: () => unknown): QuorumError => {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(QuorumError);
    return err as QuorumError;
  }
  throw new Error('expected the configuration to be refused');
};

const SENTINEL_ENV = {
  REDIS_SENTINELS: '10.0.0.5:26379, sentinel-1.redis:26380,[fd00::7]:26381',
  REDIS_SENTINEL_MASTER: 'mymaster',
  REDIS_PASSWORD: 'redis-secret-pw',
  REDIS_SENTINEL_PASSWORD: 'sentinel-secret-pw',
};

describe('Redis through Sentinel, in the configuration', () => {
  it('reads the sentinels, the master name and both passwords from the environment', () => {
    const c = loadConfig(SENTINEL_ENV);
    expect(c.redis.sentinels).toEqual([
      { host: '10.0.0.5', port: 26379 },
      { host: 'sentinel-1.redis', port: 26380 },
      { host: 'fd00::7', port: 26381 },
    ]);
    const conn = redisConnection(c);
    expect(conn.url).toBeUndefined();
    expect(conn.options).toMatchObject({
      sentinels: c.redis.sentinels,
      name: 'mymaster',
      role: 'master',
      password: 'redis-secret-pw',
      sentinelPassword: 'sentinel-secret-pw',
    });
    expect(conn.where).toBe(
      'master "mymaster" through Sentinel 10.0.0.5:26379, sentinel-1.redis:26380, [fd00::7]:26381',
    );
  });

  it('reads the same from the config file; the environment wins', () => {
    const yaml = `redis:\n  sentinels: [10.0.0.5:26379]\n  sentinelMaster: filemaster\n  prefix: '{quorum}'\n`;
    expect(fromFile(yaml).redis).toMatchObject({
      sentinels: [{ host: '10.0.0.5', port: 26379 }],
      sentinelMaster: 'filemaster',
      prefix: '{quorum}',
    });
    expect(fromFile(yaml, { REDIS_SENTINEL_MASTER: 'envmaster' }).redis.sentinelMaster).toBe(
      'envmaster',
    );
  });

  it('keeps REDIS_URL the default, with REDIS_PASSWORD when the URL has none', () => {
    const c = loadConfig({ REDIS_PASSWORD: 'pw' });
    expect(redisConnection(c)).toEqual({
      url: 'redis://127.0.0.1:6379',
      options: { password: 'pw' },
      where: 'redis://127.0.0.1:6379',
    });
    expect(c.redis.prefix).toBe('quorum');
    expect(redisConnection(loadConfig({ REDIS_URL: 'redis://:pw@r:6379' })).where).toBe(
      'redis://:***@r:6379',
    );
  });

  it.each([
    [
      { REDIS_SENTINELS: '10.0.0.5', REDIS_SENTINEL_MASTER: 'm' },
      /REDIS_SENTINELS \(item 1\): "10\.0\.0\.5" is not a Sentinel address; write host:port, e\.g\. 10\.0\.0\.5:26379/,
    ],
    [
      { REDIS_SENTINELS: '10.0.0.5:26379,10.0.0.6:99999', REDIS_SENTINEL_MASTER: 'm' },
      /REDIS_SENTINELS \(item 2\): "10\.0\.0\.6:99999" is not a Sentinel address/,
    ],
    [
      { REDIS_SENTINELS: '10.0.0.5:26379' },
      /REDIS_SENTINELS: needs the name of the master the sentinels monitor: set REDIS_SENTINEL_MASTER/,
    ],
    [
      { REDIS_SENTINEL_MASTER: 'mymaster' },
      /REDIS_SENTINEL_MASTER: is set but no sentinels are: set REDIS_SENTINELS/,
    ],
    [
      { REDIS_SENTINEL_PASSWORD: 'pw' },
      /REDIS_SENTINEL_PASSWORD: is set but no sentinels are: set REDIS_SENTINELS/,
    ],
    [{ REDIS_SENTINELS: ' , ', REDIS_SENTINEL_MASTER: 'm' }, /REDIS_SENTINELS: needs at least one/],
  ])('refuses %j, naming the variable and a right value', (env, message) => {
    const err = failure(() => loadConfig(env));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(message);
  });

  it('refuses REDIS_URL next to REDIS_SENTINELS: Quorum reaches Redis one way', () => {
    const err = failure(() => loadConfig({ ...SENTINEL_ENV, REDIS_URL: 'redis://r:6379' }));
    expect(err.message).toMatch(/REDIS_URL and REDIS_SENTINELS are both set/);
    expect(err.hint).toMatch(/Unset REDIS_URL/);
    const file = failure(() =>
      fromFile('redisUrl: redis://r:6379\nredis: { sentinels: [a:1], sentinelMaster: m }\n'),
    );
    expect(file.message).toMatch(/quorum\.yaml: redisUrl and quorum\.yaml: redis\.sentinels/);
  });

  it('lets a variable override the file: REDIS_URL over its sentinels, REDIS_SENTINELS over its URL', () => {
    const sentinels = 'redis: { sentinels: [a:26379], sentinelMaster: filemaster }\n';
    const byUrl = fromFile(sentinels, { REDIS_URL: 'redis://r:6379' });
    expect(redisConnection(byUrl).url).toBe('redis://r:6379');
    expect(byUrl.redis.sentinels).toBeUndefined();
    const bySentinels = fromFile('redisUrl: redis://r:6379\n', {
      REDIS_SENTINELS: 'b:26379',
      REDIS_SENTINEL_MASTER: 'm',
    });
    expect(redisConnection(bySentinels).options.sentinels).toEqual([{ host: 'b', port: 26379 }]);
  });

  it('takes a prefix, or one Redis Cluster hash tag, and nothing else', () => {
    expect(fromFile('redis: { prefix: "{quorum}" }\n').redis.prefix).toBe('{quorum}');
    const err = failure(() => fromFile('redis: { prefix: "quo rum" }\n'));
    expect(err.message).toMatch(
      /redis\.prefix: write e\.g\. quorum, or \{quorum\} for Redis Cluster/,
    );
  });

  it('never logs the passwords: the loaded config, the connection options, the environment', () => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const logger = createLogger('info', sink);
    const config = loadConfig(SENTINEL_ENV);
    logger.info({ config }, 'loaded');
    logger.info({ redis: redisConnection(config) }, 'connecting');
    logger.info({ env: SENTINEL_ENV }, 'environment');
    expect(out).not.toContain('redis-secret-pw');
    expect(out).not.toContain('sentinel-secret-pw');
    expect(out).toContain('mymaster');
  });
});
