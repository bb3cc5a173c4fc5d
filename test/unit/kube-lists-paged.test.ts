/**
 * Nothing lists without the pager: no file in src/ calls a generated client-node list
 * method (`listNode`, `listPodForAllNamespaces`, …), which would ask for a whole collection in
 * one answer. Every list goes through src/clients/kube-pages.ts (the scale tests check the
 * requests themselves; this catches a new call path no test exercises yet).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? files(path.join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [path.join(dir, e.name)]
        : [],
  );
}

it('no source file calls a generated list method of @kubernetes/client-node', () => {
  // A generated API object (`this.core`, `this.rbac`, `customObjectsApi`, …) calling list*.
  const generated = /\b(?:core|policy|rbac|coordination|apps|batch|custom\w*|\w+Api)\.(list\w+)\(/g;
  const calls = files(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(generated)].map(
      (m) => `${path.relative(SRC, file)}: ${m[1]}`,
    ),
  );
  expect(calls).toEqual([]);
});

it('the pager is what the adapter lists through', () => {
  const adapter = readFileSync(path.join(SRC, 'clients/kube.ts'), 'utf8');
  expect(adapter).toContain("from './kube-pages.js'");
});
