/**
 * The in-memory inventory behind the test Kubernetes API server: objects by kind,
 * namespace and name, with resourceVersions, and the field- and label-selector
 * matching the real API server does (written independently of src/, so the
 * adapter's selectors are checked against a second implementation).
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

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/** Objects by kind and `namespace/name`; tests seed, change and inspect it. */
export class KubeStore {
  private readonly byKind = new Map<string, Map<string, KubeObject>>();
  private revision = 1000;
  /** The body GET /metrics answers with. */
  metrics = '# HELP apiserver_request_total Counter of apiserver requests.\n';
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

  get(kind: string, name: string, namespace?: string): KubeObject | undefined {
    return this.byKind.get(kind)?.get(keyOf(namespace, name));
  }

  /** Objects of a kind, in one namespace or all, in insertion order. */
  list(kind: string, namespace?: string): KubeObject[] {
    const all = [...(this.byKind.get(kind)?.values() ?? [])];
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
    return this.byKind.get(kind)?.delete(keyOf(namespace, name)) ?? false;
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
