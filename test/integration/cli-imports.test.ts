/**
 * Start-up loads per command (issue 18): `quorum help` loads no package at all, and
 * `quorum etcd check` against a real etcd never loads Bolt, BullMQ, ioredis, prom-client
 * or client-node. Read from the modules the built binary resolved (a resolve hook), so
 * a static import that drags one of them back in fails here, whatever the clock says.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, QUORUM_BIN, relaxedLatencyConfig } from '../support/cli.js';
import { runCommand, startEtcd, tmpDir, type EtcdCluster } from '../support/index.js';

const TRACE = path.resolve(import.meta.dirname, '../support/module-trace.ts');
const HEAVY = ['@slack/bolt', 'bullmq', 'ioredis', 'prom-client', '@kubernetes/client-node'];

let etcd: EtcdCluster;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(() => etcd?.close());

/** The packages (`node_modules/<name>`) the binary loaded running `args`, and its exit code. */
async function packagesLoaded(args: string[], vars: Record<string, string> = {}) {
  const out = path.join(await tmpDir('quorum-trace-'), 'modules.txt');
  const result = await runCommand(process.execPath, ['--import', TRACE, QUORUM_BIN, ...args], {
    env: cleanEnv({ LOG_LEVEL: 'silent', QUORUM_MODULE_TRACE: out, ...vars }),
    timeoutMs: 60_000,
  });
  const urls = readFileSync(out, 'utf8').split('\n');
  const names = urls.flatMap((u) => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
    return m ? [m[1] as string] : [];
  });
  return { code: result.code, packages: [...new Set(names)].sort(), modules: urls.length };
}

describe('what each command loads', () => {
  it('quorum help loads no package', async () => {
    const { code, packages, modules } = await packagesLoaded(['help']);
    expect(code).toBe(0);
    expect(packages).toEqual([]);
    expect(modules).toBeLessThan(30);
  });

  it('quorum etcd check loads no Slack, queue, Redis, metrics or Kubernetes library', async () => {
    const { code, packages } = await packagesLoaded(['etcd', 'check'], {
      ...etcd.env,
      QUORUM_CONFIG: await relaxedLatencyConfig(),
    });
    expect(code).toBe(0);
    expect(packages).toContain('etcd3'); // it did run the check
    for (const heavy of HEAVY) expect(packages).not.toContain(heavy);
  });

  it('a usage error loads no package either', async () => {
    const { code, packages } = await packagesLoaded(['etcd', 'chek']);
    expect(code).toBe(3);
    expect(packages).toEqual([]);
  });
});
