/** TLS material and user credentials for etcd, read from the files etcdctl would read. */
import { readFileSync } from 'node:fs';
import type { EtcdConfig } from '../config/schema.js';
import { QuorumError } from '../domain/errors.js';

export interface EtcdCredentials {
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  auth?: { username: string; password: string };
}

function readPem(path: string, what: string, variable: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new QuorumError(
      'TLS_FILE_UNREADABLE',
      `Cannot read the etcd ${what} at ${path} (${reason}).`,
      `Check ${variable} (or the cluster's etcd.${variable.slice(8).toLowerCase()} key); on kubeadm control planes it is under /etc/kubernetes/pki/etcd/.`,
      { cause: err },
    );
  }
}

export function loadEtcdCredentials(etcd: EtcdConfig): EtcdCredentials {
  const out: EtcdCredentials = {};
  if (etcd.cacert || etcd.cert || etcd.key) {
    out.tls = {
      ca: etcd.cacert ? readPem(etcd.cacert, 'CA certificate', 'ETCDCTL_CACERT') : undefined,
      cert: etcd.cert ? readPem(etcd.cert, 'client certificate', 'ETCDCTL_CERT') : undefined,
      key: etcd.key ? readPem(etcd.key, 'client key', 'ETCDCTL_KEY') : undefined,
    };
  }
  if (etcd.username) out.auth = { username: etcd.username, password: etcd.password ?? '' };
  return out;
}
