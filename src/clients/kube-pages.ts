/**
 * Every list Quorum makes goes through here: pages of PAGE_LIMIT items (kubectl's own
 * chunk size), following `continue` to the end, each page mapped to the few fields
 * Quorum reads and folded into the result before the next is asked for. A page is read
 * as JSON straight from the API server (kube-raw.ts) rather than through the generated
 * model classes, whose deep copy of every object is most of a large list's cost. Each page
 * is one bounded call (kube-call.ts: timeout, retries). A continue token that expired
 * (410: the list outlived etcd's compaction) starts the list over once with a fresh
 * accumulator; a second expiry is reported, never answered with a partial list.
 */
import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import { QuorumError } from '../domain/errors.js';
import type { ListFold } from '../domain/kube.js';
import { kubeCall } from './kube-call.js';
import { rawGetText } from './kube-raw.js';

export const PAGE_LIMIT = 500;

/** One list: where it is read from, for messages, and until when each page may take. */
export interface ListSpec {
  kc: KubeConfig;
  server: string;
  /** For messages: `list pods`. */
  what: string;
  /** The collection's path, e.g. `/api/v1/namespaces/shop/pods`. */
  path: string;
  /** Selectors: `fieldSelector`, `labelSelector` (empty values are left out). */
  query?: Record<string, string | undefined>;
  /** Each page must be answered within the time left until this (epoch ms) when the list began. */
  deadline: number;
}

/** A list page as the API server sends it: items as JSON (times as strings), `continue`. */
interface ListPage<R> {
  items?: R[];
  metadata?: { continue?: string };
}

const EXPIRED = Symbol('expired');

function pageUrl(spec: ListSpec, token: string | undefined): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(spec.query ?? {})) if (value) query.set(key, value);
  query.set('limit', String(PAGE_LIMIT));
  if (token) query.set('continue', token);
  return `${spec.path}?${query.toString()}`;
}

/** One page; EXPIRED when the server says the continue token is too old. */
function readPage<R>(
  spec: ListSpec,
  page: number,
  token: string | undefined,
  timeoutMs: number,
): Promise<ListPage<R> | typeof EXPIRED> {
  const what = page === 1 ? spec.what : `${spec.what} (page ${page})`;
  const deadline = Date.now() + timeoutMs;
  return kubeCall({ server: spec.server, what, deadline }, async (_o, signal) => {
    try {
      return JSON.parse(
        await rawGetText(spec.kc, spec.server, pageUrl(spec, token), signal),
      ) as ListPage<R>;
    } catch (err) {
      if (token && err instanceof ApiException && err.code === 410) return EXPIRED;
      throw err;
    }
  });
}

/** One pass over the list, folded; EXPIRED when a continue token expired on the way. */
async function pass<R, T, A>(
  spec: ListSpec,
  timeoutMs: number,
  map: (raw: R) => T,
  fold: ListFold<T, A>,
): Promise<A | typeof EXPIRED> {
  const acc = fold.start();
  let token: string | undefined;
  for (let page = 1; ; page++) {
    const list = await readPage<R>(spec, page, token, timeoutMs);
    if (list === EXPIRED) return EXPIRED;
    for (const raw of list.items ?? []) fold.add(acc, map(raw));
    token = list.metadata?.continue || undefined;
    if (!token) return acc;
  }
}

/** Folds every item of a paged list; see the module comment. */
export async function foldList<R, T, A>(
  spec: ListSpec,
  map: (raw: R) => T,
  fold: ListFold<T, A>,
): Promise<A> {
  const timeoutMs = Math.max(1, Math.round(spec.deadline - Date.now()));
  for (let attempt = 1; attempt <= 2; attempt++) {
    const result = await pass(spec, timeoutMs, map, fold);
    if (result !== EXPIRED) return result;
  }
  throw new QuorumError(
    'KUBE_OPERATION_FAILED',
    `${spec.what} on ${spec.server} could not be read to the end: the API server expired the ` +
      'continue token twice (HTTP 410), so the list changed faster than it could be paged.',
    'The cluster is writing heavily or etcd compacts very often; run the command again, and ' +
      "check etcd's compaction interval (kube-apiserver `--etcd-compaction-interval`).",
  );
}

/** The fold that keeps every mapped item, for lists whose size the cluster's config bounds. */
export function collect<T>(): ListFold<T, T[]> {
  return { start: () => [], add: (all, item) => void all.push(item) };
}
