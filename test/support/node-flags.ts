/**
 * The node flags a script's shebang carries (`#!/usr/bin/env -S node --flag …`): how
 * `quorum` runs, so tests and benchmarks can start it the same way with process.execPath.
 */
import { readFileSync } from 'node:fs';

export function shebangNodeFlags(file: string): string[] {
  const first = readFileSync(file, 'utf8').split('\n')[0] ?? '';
  return first
    .replace(/^#!\/usr\/bin\/env -S node ?/, '')
    .split(' ')
    .filter((f) => f.startsWith('--'));
}
