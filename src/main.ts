#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * Entry point: wiring only. The node flag above (and in the Dockerfile's ENTRYPOINT, which a
 * packaging test keeps equal) caps V8's young generation at 4 MB semi-spaces: a worker that
 * pages through 150,000 pods or streams a snapshot makes short-lived garbage, and the default
 * (16 MB+) lets it pile up to ~100 MB of extra RSS before a scavenge. Measured in
 * test/integration/kube-scale.test.ts: 350 → 269 MB peak on the audit, same CPU.
 */
import { runCli } from './transport/cli/run.js';

const io = {
  stdout: (t: string) => void process.stdout.write(t),
  stderr: (t: string) => void process.stderr.write(t),
  env: process.env,
};

// The clients are built (and their libraries loaded) only when a command runs.
const deps = async () => (await import('./deps.js')).realCliDeps(process.env);
process.exitCode = await runCli(process.argv.slice(2), io, deps);
