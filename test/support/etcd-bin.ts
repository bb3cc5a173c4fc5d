/**
 * Which etcd the integration tests run: Debian 12's 3.4 from PATH (the default), or
 * 3.5 unpacked from Debian 13's packages (`.ci/etcd35.sh`; vitest's global setup
 * fetches it when QUORUM_TEST_ETCD35_BIN is unset). The vitest project
 * `etcd-3.5` sets QUORUM_TEST_ETCD=3.5 and runs every etcd test file again.
 *
 *   etcdBin('etcdctl')   // '/usr/bin/etcdctl' or '<cache>/etcd-3.5/usr/bin/etcdctl'
 */
import path from 'node:path';

export type EtcdTestVersion = '3.4' | '3.5';

/** The etcd minor version this test process runs against. */
export function etcdTestVersion(): EtcdTestVersion {
  return process.env.QUORUM_TEST_ETCD === '3.5' ? '3.5' : '3.4';
}

/** The directory holding etcd, etcdctl (and etcdutl for 3.5); undefined: PATH. */
export function etcdBinDir(): string | undefined {
  if (etcdTestVersion() === '3.4') return process.env.QUORUM_TEST_ETCD34_BIN || undefined;
  const dir = process.env.QUORUM_TEST_ETCD35_BIN;
  if (!dir)
    throw new Error('QUORUM_TEST_ETCD=3.5 needs QUORUM_TEST_ETCD35_BIN (see .ci/etcd35.sh)');
  return dir;
}

/** The command for one of etcd's binaries in the version under test. */
export function etcdBin(name: 'etcd' | 'etcdctl' | 'etcdutl'): string {
  const dir = etcdBinDir();
  return dir ? path.join(dir, name) : name;
}

/** Always the 3.5 tools (etcdutl exists only from 3.5 on). */
export function etcd35Bin(name: 'etcd' | 'etcdctl' | 'etcdutl'): string {
  const dir = process.env.QUORUM_TEST_ETCD35_BIN;
  if (!dir) throw new Error('QUORUM_TEST_ETCD35_BIN is unset (see .ci/etcd35.sh)');
  return path.join(dir, name);
}
