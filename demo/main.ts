#!/usr/bin/env node
/**
 * `npm run demo`: Quorum with a local etcd cluster, Redis and the Slack playground,
 * until Ctrl-C. PORT sets the playground's port (default 3000, or a free one when
 * 3000 is taken).
 */
import { MissingToolError, startDemo, type Demo } from './demo.js';

const say = (line: string) => void process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const port = process.env.PORT === undefined ? 3000 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`demo: PORT=${process.env.PORT} is not a port number (0-65535)\n`);
    return 1;
  }
  let demo: Demo | undefined;
  let signalled: ((why: string) => void) | undefined;
  const signal = new Promise<string>((resolve) => (signalled = resolve));
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(name, () => signalled?.(name));
  }
  const stop = async (why: string) => {
    say(`\ndemo: ${why}; stopping …`);
    await demo?.close();
    say('demo: stopped; temporary files removed');
    return 0;
  };
  const started = startDemo({ port, portFallback: process.env.PORT === undefined, say });
  const first = await Promise.race([
    started.then((d) => ({ demo: d })),
    signal.then((why) => ({ why })),
  ]).catch((error: unknown) => ({ error }));
  if ('error' in first) {
    const { error } = first;
    process.stderr.write(`${error instanceof MissingToolError ? error.message : String(error)}\n`);
    return 1;
  }
  if ('why' in first) {
    // Signal handlers in test/support/processes.ts have killed the servers already.
    demo = await started.catch(() => undefined);
    return stop(first.why);
  }
  demo = first.demo;
  say(`Quorum ${demo.quorumUrl} (/metrics, /readyz); its log and snapshots in ${demo.dir}`);
  say(`\nOpen ${demo.url}\n`);
  say('Ctrl-C stops everything and removes the temporary files.');
  const end = await Promise.race([
    signal.then((why) => ({ why })),
    demo.quorumExited.then((crash) => ({ crash })),
  ]);
  if ('why' in end) return stop(end.why);
  // Quorum died by itself; a signal may still be on its way.
  process.stderr.write(`demo: Quorum exited unexpectedly: ${end.crash}\n`);
  await demo.close();
  return 1;
}

process.exit(await main());
