/**
 * The built `quorum` as an operator runs it: node with the flags of its shebang
 * (`#!/usr/bin/env -S node …`, the same as the image's ENTRYPOINT), then dist/src/main.js.
 * Benchmarks spawn `process.execPath` with QUORUM_ARGV so they measure what ships.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const QUORUM = path.resolve(import.meta.dirname, '../src/main.js');

const shebang = readFileSync(QUORUM, 'utf8').split('\n')[0] ?? '';
export const QUORUM_NODE_FLAGS = shebang
  .replace(/^#!\/usr\/bin\/env -S node ?/, '')
  .split(' ')
  .filter((f) => f.startsWith('--'));

export const QUORUM_ARGV = [...QUORUM_NODE_FLAGS, QUORUM];
