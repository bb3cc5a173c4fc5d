/**
 * Which provider stored a Secret, from the first bytes of its etcd value. The
 * kube-apiserver writes `k8s:enc:<provider>:v<n>:` before an encrypted value; the
 * identity provider (no encryption) writes no prefix, so the value is the object itself:
 * protobuf (`k8s\0`) or, on old or hand-written clusters, JSON (`{`).
 */
import type { ProviderCounts, SecretProvider } from '../../domain/security.js';

const PREFIXES: readonly (readonly [Buffer, SecretProvider])[] = [
  [Buffer.from('k8s:enc:aescbc:v1:'), 'aescbc'],
  [Buffer.from('k8s:enc:aesgcm:v1:'), 'aesgcm'],
  [Buffer.from('k8s:enc:secretbox:v1:'), 'secretbox'],
  [Buffer.from('k8s:enc:kms:v1:'), 'kms-v1'],
  [Buffer.from('k8s:enc:kms:v2:'), 'kms-v2'],
  [Buffer.from('k8s\x00'), 'identity'],
];

/** Enough for the longest prefix (`k8s:enc:secretbox:v1:`, 21 bytes): the scan keeps no more. */
export const VALUE_PREFIX_BYTES = 32;

const OPEN_BRACE = 0x7b;

export function classifySecretValue(prefix: Uint8Array): SecretProvider {
  for (const [bytes, provider] of PREFIXES) {
    if (prefix.length >= bytes.length && bytes.equals(prefix.subarray(0, bytes.length)))
      return provider;
  }
  return prefix[0] === OPEN_BRACE ? 'identity' : 'unknown';
}

export function zeroCounts(): ProviderCounts {
  return {
    identity: 0,
    aescbc: 0,
    aesgcm: 0,
    secretbox: 0,
    'kms-v1': 0,
    'kms-v2': 0,
    unknown: 0,
  };
}
