/**
 * Vitest global setup: make sure etcd 3.5's binaries are at hand for the `etcd-3.5`
 * project (the same fetch `.ci/run` does; cached after the first run).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  if (process.env.QUORUM_TEST_ETCD35_BIN) return;
  const script = path.resolve(import.meta.dirname, '../../.ci/etcd35.sh');
  const dir = execFileSync(
    'bash',
    ['-c', `source "${script}" >&2 && printf %s "$QUORUM_TEST_ETCD35_BIN"`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  process.env.QUORUM_TEST_ETCD35_BIN = dir;
}
