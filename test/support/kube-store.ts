/**
 * The in-memory inventory behind the test Kubernetes API server: objects by kind,
 * namespace and name, with resourceVersions, and the field- and label-selector
 * matching the real API server does (written independently of src/, so the
 * adapter's selectors are checked against a second implementation). A kind may also
 * hold a generated set (`generate`): objects made from their index when read, so a
 * cluster of 150,000 pods costs the test process nothing until a page is served.
 * Objects are read in key order (`namespace/name`), as etcd returns them.
 */
import { randomUUID } from 'node:crypto';

/** A Kubernetes object as JSON: apiVersion, kind, metadata, and whatever else. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;
const objectKey = (o: KubeObject) => keyOf(o.metadata.namespace, o.metadata.name);

/** Objects made on demand: `make(i)`'s keys must increase with i. */
export interface GeneratedSet {
  count: number;
  make(i: number): KubeObject;
}

interface Generated extends GeneratedSet {
  /** Indexes deleted, or changed (and so now held as stored objects). */
  removed: Set<number>;
}

/** The first index whose key is ≥ `key` (binary search over the generated keys). */
function firstAtOrAfter(set: GeneratedSet, key: string): number {
  let lo = 0;
  let hi = set.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (objectKey(set.make(mid)) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function* generatedFrom(set: Generated, key: string): Generator<KubeObject> {
  for (let i = firstAtOrAfter(set, key); i < set.count; i++) {
    if (!set.removed.has(i)) yield set.make(i);
  }
}

/** Objects by kind and `namespace/name`; tests seed, change and inspect it. */
export class KubeStore {
  private readonly byKind = new Map<string, Map<string, KubeObject>>();
  private readonly generated = new Map<string, Generated>();
  private revision = 1000;
  /** The body GET /metrics answers with. */
  metrics = '# HELP apiserver_request_total Counter of apiserver requests.\n';
  /** Optional API groups served (a test installs CRDs): groupVersion → its APIResourceList. */
  readonly groups = new Map<string, unknown>();
  /** What GET /version answers with. */
  version: Record<string, string> = versionInfo('v1.31.4');

  private bucket(kind: string): Map<string, KubeObject> {
    let bucket = this.byKind.get(kind);
    if (!bucket) this.byKind.set(kind, (bucket = new Map<string, KubeObject>()));
    return bucket;
  }

  private stamp(obj: KubeObject): void {
    obj.metadata.resourceVersion = String(++this.revision);
    obj.metadata.uid ??= randomUUID();
    obj.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  }

  /** Adds or replaces objects (deep copies; the caller's stay untouched). */
  add(...objects: KubeObject[]): void {
    for (const original of objects) {
      const obj = structuredClone(original);
      this.stamp(obj);
      this.bucket(obj.kind).set(keyOf(obj.metadata.namespace, obj.metadata.name), obj);
    }
  }

  /** Removes every object of a kind, stored and generated. */
  clear(kind: string): void {
    this.byKind.delete(kind);
    this.generated.delete(kind);
  }

  /** Serves `set` as objects of `kind` besides the stored ones (replacing an earlier set). */
  generate(kind: string, set: GeneratedSet): void {
    this.generated.set(kind, { ...set, removed: new Set() });
  }

  /** The generated index holding `key`, when it is there and not removed. */
  private generatedIndex(kind: string, key: string): number | undefined {
    const set = this.generated.get(kind);
    if (!set) return undefined;
    const i = firstAtOrAfter(set, key);
    return i < set.count && !set.removed.has(i) && objectKey(set.make(i)) === key ? i : undefined;
  }

  get(kind: string, name: string, namespace?: string): KubeObject | undefined {
    const key = keyOf(namespace, name);
    const stored = this.byKind.get(kind)?.get(key);
    if (stored) return stored;
    const i = this.generatedIndex(kind, key);
    if (i === undefined) return undefined;
    // Held from now on, so that changes to it stick.
    const obj = this.generated.get(kind)!.make(i);
    this.generated.get(kind)!.removed.add(i);
    this.bucket(kind).set(key, obj);
    return obj;
  }

  /** Objects of a kind in key order from `from` (a key, inclusive), stored and generated merged. */
  *scan(kind: string, from = ''): Generator<KubeObject> {
    const stored = [...(this.byKind.get(kind)?.entries() ?? [])]
      .filter(([key]) => key >= from)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const set = this.generated.get(kind);
    const made = set ? generatedFrom(set, from) : [][Symbol.iterator]();
    let next = made.next();
    for (const [key, obj] of stored) {
      while (!next.done && objectKey(next.value) < key) {
        yield next.value;
        next = made.next();
      }
      yield obj;
    }
    for (; !next.done; next = made.next()) yield next.value;
  }

  /** Objects of a kind, in one namespace or all, in key order. */
  list(kind: string, namespace?: string): KubeObject[] {
    const all = [...this.scan(kind)];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** Changes an object in place (bumping its resourceVersion); false when absent. */
  update(
    kind: string,
    name: string,
    namespace: string | undefined,
    change: (o: KubeObject) => void,
  ) {
    const obj = this.get(kind, name, namespace);
    if (!obj) return false;
    change(obj);
    this.stamp(obj);
    return true;
  }

  delete(kind: string, name: string, namespace?: string): boolean {
    const key = keyOf(namespace, name);
    if (this.byKind.get(kind)?.delete(key)) return true;
    const i = this.generatedIndex(kind, key);
    if (i !== undefined) this.generated.get(kind)!.removed.add(i);
    return i !== undefined;
  }

  /** The list's resourceVersion. */
  get resourceVersion(): string {
    return String(this.revision);
  }
}

/** GET /version's answer for a gitVersion like `v1.31.4`. */
export function versionInfo(gitVersion: string): Record<string, string> {
  const [major = '1', minor = '0'] = gitVersion.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-12-10T11:36:43Z',
    goVersion: 'go1.22.9',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function fieldValue(obj: unknown, path: string): string {
  let value: unknown = obj;
  for (const part of path.split('.')) {
    value =
      value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `spec.nodeName=n1,involvedObject.kind=Node` (also `==` and `!=`). */
export function matchesFieldSelector(obj: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const m = /^([^!=]+)(==|!=|=)(.*)$/.exec(term.trim());
    if (!m) throw new Error(`bad field selector term "${term}"`);
    const [, path = '', op, want = ''] = m;
    return (fieldValue(obj, path) === want) === (op !== '!=');
  });
}

/** Splits on commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  return [...out, current].map((t) => t.trim()).filter(Boolean);
}

function matchTerm(labels: Record<string, string>, term: string): boolean {
  const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (set) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim());
    const has = (set[1] ?? '') in labels && values.includes(labels[set[1] ?? ''] ?? '');
    return set[2] === 'in' ? has : !has;
  }
  const eq = /^([^!=\s]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
  if (eq) return (labels[eq[1] ?? ''] === eq[3]) === (eq[2] !== '!=');
  if (term.startsWith('!')) return !(term.slice(1) in labels);
  return term in labels;
}

/** `app=web,tier in (a,b),!legacy` against an object's labels. */
export function matchesLabelSelector(obj: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return terms(selector).every((term) => matchTerm(labels, term));
}

/** A PDB's structured selector (matchLabels and matchExpressions) against labels. */
export function selectorSelects(
  selector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  },
  labels: Record<string, string>,
): boolean {
  const equal = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const expressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return key in labels && values.includes(labels[key] ?? '');
    if (operator === 'NotIn') return !(key in labels && values.includes(labels[key] ?? ''));
    if (operator === 'Exists') return key in labels;
    return !(key in labels);
  });
  return equal && expressions;
}
