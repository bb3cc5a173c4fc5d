/**
 * A remedy's command, pasted into a shell as an operator would: `sh -c COMMAND` with a
 * stand-in `kubectl` first on the PATH that keeps its arguments and what it reads on stdin,
 * so a test can check what the command would have done and apply it to the test API server.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tmpDir } from './processes.js';

export async function pasteWithKubectl(
  command: string,
): Promise<{ args: string[]; stdin: string }> {
  const dir = await tmpDir('kubectl');
  const [args, stdin] = [path.join(dir, 'args'), path.join(dir, 'stdin')];
  await writeFile(
    path.join(dir, 'kubectl'),
    `#!/bin/sh\nprintf '%s\\n' "$@" > '${args}'\ncat > '${stdin}'\n`,
    { mode: 0o755 },
  );
  execFileSync('sh', ['-c', command], { env: { PATH: `${dir}:/usr/bin:/bin` } });
  const [a, s] = await Promise.all([readFile(args, 'utf8'), readFile(stdin, 'utf8')]);
  return { args: a.split('\n').slice(0, -1), stdin: s };
}
