/** Where the page's files are: beside this module in the sources, or in the repository from dist/. */
import { existsSync } from 'node:fs';
import path from 'node:path';

let found: string | undefined;

export function publicDir(): string {
  found ??=
    [
      path.join(import.meta.dirname, 'public'),
      path.join(import.meta.dirname, '../../demo/public'),
    ].find((dir) => existsSync(path.join(dir, 'index.html'))) ??
    path.join(import.meta.dirname, 'public');
  return found;
}
