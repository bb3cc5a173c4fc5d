/**
 * The built `quorum` as an operator runs it: node with the flags of its shebang
 * (`#!/usr/bin/env -S node …`, the same as the image's ENTRYPOINT), then dist/src/main.js.
 * Benchmarks spawn `process.execPath` with QUORUM_ARGV so they measure what ships.
 */
import path from 'node:path';
import { shebangNodeFlags } from '../test/support/node-flags.js';

export const QUORUM = path.resolve(import.meta.dirname, '../src/main.js');

export const QUORUM_NODE_FLAGS = shebangNodeFlags(QUORUM);

export const QUORUM_ARGV = [...QUORUM_NODE_FLAGS, QUORUM];
