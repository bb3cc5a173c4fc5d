/**
 * The census of Secrets at rest: walk `/registry/secrets/<namespace>/<name>` in pages at
 * one revision, classify each value by its first bytes, and keep only counts. A page's
 * values arrive in full (etcd cannot send part of one) but only their first
 * VALUE_PREFIX_BYTES are handed over, classified and dropped, so memory is one page
 * whatever the number of Secrets. Pages aim at PAGE_BYTES of values: the limit follows
 * the average value size seen so far.
 */
import type { NamespaceSecrets, ProviderCounts, SecretsCensus } from '../../domain/security.js';
import type { ProgressFn } from '../../domain/snapshot.js';
import type { EtcdMember } from '../etcd/client.js';
import { nextPageLimit } from '../etcd/page-limit.js';
import { classifySecretValue, VALUE_PREFIX_BYTES, zeroCounts } from './classify.js';

export const SECRETS_PREFIX = '/registry/secrets/';
const MAX_PAGE = 1_000;
const PROGRESS_EVERY_MS = 1_000;

export interface SecretsScanOptions {
  /** Bound of each page's call, in ms. */
  timeoutMs: number;
  /** Keys per page at most (default 1000; fewer when values are large). */
  pageSize?: number;
  prefix?: string;
  onProgress?: ProgressFn;
}

function namespaceOf(key: Buffer, prefixLength: number): string {
  const rest = key.subarray(prefixLength).toString('utf8');
  const slash = rest.indexOf('/');
  return slash > 0 ? rest.slice(0, slash) : '(none)';
}

function byNamespace(counts: Map<string, ProviderCounts>): NamespaceSecrets[] {
  return [...counts.entries()]
    .map(([namespace, c]) => ({
      namespace,
      total: Object.values(c).reduce((a, b) => a + b, 0),
      byProvider: Object.fromEntries(Object.entries(c).filter(([, n]) => n > 0)),
    }))
    .sort(
      (a, b) =>
        (b.byProvider.identity ?? 0) - (a.byProvider.identity ?? 0) ||
        a.namespace.localeCompare(b.namespace),
    );
}

export async function scanSecrets(
  member: EtcdMember,
  opts: SecretsScanOptions,
): Promise<SecretsCensus> {
  const prefix = opts.prefix ?? SECRETS_PREFIX;
  const max = Math.max(1, opts.pageSize ?? MAX_PAGE);
  const total = zeroCounts();
  const perNamespace = new Map<string, ProviderCounts>();
  let startKey: Buffer | undefined;
  let limit = max;
  let revision = 0;
  let pinned = true;
  let pages = 0;
  let scanned = 0;
  let bytes = 0;
  let lastProgress = Date.now();
  for (;;) {
    const page = await member.rangeKeys(
      prefix,
      { startKey, limit, valuePrefixBytes: VALUE_PREFIX_BYTES, revision },
      Date.now() + opts.timeoutMs,
    );
    pages += 1;
    if (revision !== 0 && page.revision !== revision) pinned = false; // compacted meanwhile
    revision = page.revision;
    for (const entry of page.entries) {
      const provider = classifySecretValue(entry.valuePrefix ?? Buffer.alloc(0));
      const namespace = namespaceOf(entry.key, prefix.length);
      let counts = perNamespace.get(namespace);
      if (!counts) perNamespace.set(namespace, (counts = zeroCounts()));
      counts[provider] += 1;
      total[provider] += 1;
      bytes += entry.valueSize;
    }
    scanned += page.entries.length;
    const last = page.entries.at(-1);
    if (!page.more || !last) break;
    startKey = Buffer.concat([last.key, Buffer.from([0])]);
    limit = nextPageLimit(bytes, scanned, max);
    if (opts.onProgress && Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      opts.onProgress({ step: `read ${scanned.toLocaleString('en-US')} Secrets` });
    }
  }
  return {
    prefix,
    total: scanned,
    byProvider: total,
    byNamespace: byNamespace(perNamespace),
    ...(pinned ? { revision } : {}),
    pages,
    endpoint: member.endpoint,
  };
}
