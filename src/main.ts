#!/usr/bin/env node
/** Entry point: wiring only. */
import { realCliDeps } from './deps.js';
import { runCli } from './transport/cli/run.js';

const io = {
  stdout: (t: string) => void process.stdout.write(t),
  stderr: (t: string) => void process.stderr.write(t),
  env: process.env,
};

process.exitCode = await runCli(process.argv.slice(2), io, realCliDeps(process.env));
