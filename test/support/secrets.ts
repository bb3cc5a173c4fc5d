/**
 * Secrets in a real etcd as the kube-apiserver stores them, for the security audit:
 * `/registry/secrets/<namespace>/<name>` with a value of each storage format (every
 * encryption provider's prefix, protobuf and JSON for unencrypted, and junk). Each value
 * carries `marker` right after its prefix, so a test can prove no value reaches output.
 */
import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';
import type { EtcdCluster } from './etcd.js';

/** A client for a test cluster, with its TLS files and root password when it has them. */
export function etcdClientFor(cluster: EtcdCluster): Etcd3 {
  const options: IOptions = { hosts: cluster.endpoints };
  if (cluster.certs) {
    options.credentials = {
      rootCertificate: readFileSync(cluster.certs.ca),
      ...(cluster.env.ETCDCTL_CERT
        ? {
            certChain: readFileSync(cluster.certs.clientCert),
            privateKey: readFileSync(cluster.certs.clientKey),
          }
        : {}),
    };
  }
  const user = cluster.env.ETCDCTL_USER;
  if (user) {
    const [username, password] = user.split(':') as [string, string];
    options.auth = { username, password };
  }
  return new Etcd3(options);
}

const PREFIX: Record<string, string> = {
  protobuf: 'k8s\x00\n\x0c\n\x02v1\x12\x06Secret\x12',
  json: '{"kind":"Secret","apiVersion":"v1","data":{"password":"',
  aescbc: 'k8s:enc:aescbc:v1:key1:',
  aesgcm: 'k8s:enc:aesgcm:v1:key1:',
  secretbox: 'k8s:enc:secretbox:v1:key1:',
  kmsV1: 'k8s:enc:kms:v1:vault:',
  kmsV2: 'k8s:enc:kms:v2:vault:',
  junk: 'not-a-kubernetes-value:',
};

/** namespace/name → format. */
export const SEEDED: readonly [string, keyof typeof PREFIX][] = [
  ['default/db-password', 'protobuf'],
  ['default/legacy-token', 'json'],
  ['shop/stripe', 'aescbc'],
  ['shop/smtp', 'aescbc'],
  ['shop/session', 'aesgcm'],
  ['payments/card-key', 'secretbox'],
  ['payments/hsm', 'secretbox'],
  ['payments/tls', 'secretbox'],
  ['payments/old-kms', 'kmsV1'],
  ['vault/unseal', 'kmsV2'],
  ['vault/root', 'kmsV2'],
  ['odd/mystery', 'junk'],
];

/** What the audit must count for SEEDED. */
export const SEEDED_COUNTS = {
  identity: 2,
  aescbc: 2,
  aesgcm: 1,
  secretbox: 3,
  'kms-v1': 1,
  'kms-v2': 2,
  unknown: 1,
};

/** A value: the format's prefix, the marker at once, then some ciphertext-like filler. */
export function secretValue(format: keyof typeof PREFIX, marker: string, i = 0): Buffer {
  const body = `${marker}-${i}-${'s3cr3t'.repeat(40)}`;
  return Buffer.concat([Buffer.from(PREFIX[format] ?? '', 'latin1'), Buffer.from(body)]);
}

/** Puts SEEDED, and a few keys around the prefix that are not Secrets. */
export async function seedSecrets(cluster: EtcdCluster, marker: string): Promise<void> {
  const client = etcdClientFor(cluster);
  try {
    for (const [i, [name, format]] of SEEDED.entries())
      await client.put(`/registry/secrets/${name}`).value(secretValue(format, marker, i));
    await client.put('/registry/configmaps/default/settings').value(`{"not":"${marker}"}`);
    await client.put('/registry/secretsx/default/near-miss').value(secretValue('protobuf', marker));
    await client.put('/registry/serviceaccounts/default/default').value('k8s\x00sa');
  } finally {
    client.close();
  }
}

/** `count` Secrets of `valueSize` bytes (secretbox), written in transactions of 100. */
export async function fillSecrets(
  cluster: EtcdCluster,
  count: number,
  valueSize: number,
): Promise<void> {
  const client = etcdClientFor(cluster);
  const value = Buffer.alloc(valueSize, 'x');
  Buffer.from(PREFIX.secretbox ?? '').copy(value);
  const batch = 100;
  let next = 0;
  const writer = async () => {
    for (let start = next; start < count; start = next) {
      next += batch;
      const ops = [];
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const key = `/registry/secrets/ns-${i % 50}/s-${String(i).padStart(6, '0')}`;
        ops.push(client.put(key).value(value));
      }
      await client
        .if('/registry/none', 'Version', '==', 0)
        .then(...ops)
        .commit();
    }
  };
  try {
    await Promise.all(Array.from({ length: 4 }, writer));
  } finally {
    client.close();
  }
}
