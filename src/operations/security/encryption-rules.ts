/**
 * Findings about Secrets at rest, from the census alone (counts, never values): any
 * Secret stored unencrypted is critical; aescbc (padding-oracle prone, no longer
 * recommended) and KMS v1 (deprecated since 1.28, off by default since 1.29) are
 * warnings; values with no known prefix are a warning of their own.
 */
import type { Finding } from '../../domain/report.js';
import { PROVIDER_LABEL, type SecretProvider, type SecretsCensus } from '../../domain/security.js';
import { listSome } from '../kube/report.js';

const num = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${num(n)} ${word}${n === 1 ? '' : 's'}`;

const CONFIG_PATH = '/etc/kubernetes/enc/encryption-config.yaml';
const REWRITE = 'kubectl get secrets -A -o json | kubectl replace -f -';

/** The EncryptionConfiguration to write, the flag, and the rewrite of existing Secrets. */
export const ENCRYPT_REMEDY = [
  `1. On every control-plane node write an EncryptionConfiguration (mode 0600), e.g. ${CONFIG_PATH}:`,
  '     apiVersion: apiserver.config.k8s.io/v1',
  '     kind: EncryptionConfiguration',
  '     resources:',
  '       - resources: [secrets]',
  '         providers:',
  '           - secretbox:   # or kms (apiVersion: v2) with a KMS plugin',
  '               keys: [{ name: key1, secret: <32 random bytes, base64: head -c 32 /dev/urandom | base64> }]',
  '           - identity: {}   # still reads what is not encrypted yet',
  `2. Give every kube-apiserver --encryption-provider-config=${CONFIG_PATH} (kubeadm: edit`,
  '   /etc/kubernetes/manifests/kube-apiserver.yaml and mount the directory) and let each restart.',
  '3. Rewrite every Secret, so it is stored again, encrypted:',
  `     ${REWRITE}`,
  '4. Run the audit again: no Secret should be left unencrypted.',
].join('\n');

const ROTATE_REMEDY = [
  '1. In the EncryptionConfiguration put secretbox or aesgcm (or kms with apiVersion: v2) first, keeping the old',
  '   provider after it so existing Secrets stay readable; restart every kube-apiserver.',
  '2. Rewrite every Secret with the new provider:',
  `     ${REWRITE}`,
  '3. Once the audit shows none left on the old provider, remove it from the configuration and restart again.',
].join('\n');

function namespacesWith(census: SecretsCensus, provider: SecretProvider): string {
  const rows = census.byNamespace
    .filter((ns) => (ns.byProvider[provider] ?? 0) > 0)
    .sort((a, b) => (b.byProvider[provider] ?? 0) - (a.byProvider[provider] ?? 0))
    .map((ns) => `${ns.namespace} ${num(ns.byProvider[provider] ?? 0)}`);
  return listSome(rows, 10);
}

/** `secretbox 120, KMS v2 3` for the providers that hold any. */
export function providerSummary(census: SecretsCensus): string {
  return (Object.keys(census.byProvider) as SecretProvider[])
    .filter((p) => census.byProvider[p] > 0)
    .map((p) => `${PROVIDER_LABEL[p]} ${num(census.byProvider[p])}`)
    .join(', ');
}

function weakFindings(census: SecretsCensus): Finding[] {
  const { aescbc, 'kms-v1': kmsV1 } = census.byProvider;
  if (aescbc + kmsV1 === 0) return [];
  const reasons = [
    aescbc
      ? `aescbc ${num(aescbc)} (CBC is open to padding-oracle attacks; Kubernetes no longer recommends it)`
      : '',
    kmsV1 ? `KMS v1 ${num(kmsV1)} (deprecated since 1.28, disabled by default since 1.29)` : '',
  ].filter(Boolean);
  return [
    {
      id: 'security.encryption.weak',
      severity: 'warn',
      title: `${plural(aescbc + kmsV1, 'Secret')} encrypted with a weak or deprecated provider`,
      detail: reasons.join('\n'),
      remedy: ROTATE_REMEDY,
    },
  ];
}

export function encryptionFindings(census?: SecretsCensus, error?: string): Finding[] {
  if (!census) {
    return [
      {
        id: 'security.encryption.unchecked',
        severity: 'warn',
        title: 'Secrets at rest not checked: etcd could not be read',
        detail: error,
        remedy:
          'The audit reads the keys under /registry/secrets/ from etcd: run it where etcd answers, with a certificate (or user) that may read that prefix, e.g. the apiserver-etcd-client certificate.',
      },
    ];
  }
  const { identity, unknown } = census.byProvider;
  if (census.total === 0) {
    return [
      {
        id: 'security.encryption.none',
        severity: 'info',
        title: `No Secrets under ${census.prefix} in etcd`,
        detail:
          'Either the cluster has none, or this etcd is not the one the kube-apiserver stores them in (check its --etcd-servers and --etcd-prefix).',
      },
    ];
  }
  const out: Finding[] = [];
  if (identity > 0) {
    out.push({
      id: 'security.encryption.unencrypted',
      severity: 'crit',
      title: `${num(identity)} of ${plural(census.total, 'Secret')} stored unencrypted in etcd`,
      detail: `Anyone with etcd access, a snapshot or a disk image reads them. By namespace: ${namespacesWith(census, 'identity')}`,
      remedy: ENCRYPT_REMEDY,
    });
  }
  out.push(...weakFindings(census));
  if (unknown > 0) {
    out.push({
      id: 'security.encryption.unknown',
      severity: 'warn',
      title: `${plural(unknown, 'Secret')} with a value of no known format`,
      detail: `Neither an encryption prefix nor a Kubernetes object. By namespace: ${namespacesWith(census, 'unknown')}`,
      remedy: `Find what writes under ${census.prefix} besides the kube-apiserver; after fixing it, rewrite the Secrets: ${REWRITE}`,
    });
  }
  if (identity === 0 && census.total > unknown) {
    out.push({
      id: 'security.encryption',
      severity: 'ok',
      title: `All ${plural(census.total - unknown, 'Secret')} encrypted at rest`,
      detail: providerSummary(census),
    });
  }
  return out;
}
