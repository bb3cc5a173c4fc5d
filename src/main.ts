#!/usr/bin/env node
/** Entry point: wiring only. */
import { runCli } from './transport/cli/run.js';

const io = {
  stdout: (t: string) => void process.stdout.write(t),
  stderr: (t: string) => void process.stderr.write(t),
  env: process.env,
};

// The clients are built (and their libraries loaded) only when a command runs.
const deps = async () => (await import('./deps.js')).realCliDeps(process.env);
process.exitCode = await runCli(process.argv.slice(2), io, deps);
