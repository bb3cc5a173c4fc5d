import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logging.js';

describe('logging', () => {
  it('redacts credentials wherever they appear, including a whole loaded config', () => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const logger = createLogger('info', sink);
    const config = loadConfig({
      ETCDCTL_USER: 'root:etcd-secret-pw',
      SLACK_BOT_TOKEN: 'xoxb-1111-secret',
      SLACK_SIGNING_SECRET: 'signing-secret-value',
      QUORUM_ALERT_TOKEN: 'alert-token-0123456789',
    });
    logger.info({ config }, 'loaded');
    logger.info(
      { req: { headers: { authorization: 'Bearer alert-token-0123456789' } } },
      'request',
    );
    logger.info({ etcd: { auth: { username: 'root', password: 'etcd-secret-pw' } } }, 'connect');
    for (const secret of [
      'etcd-secret-pw',
      'xoxb-1111-secret',
      'signing-secret-value',
      'alert-token-0123456789',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
    expect(out).toContain('"msg":"loaded"');
  });
});
