/** Files that are on disk when we say so: written to a temp name, fsynced, renamed. */
import { open, rename } from 'node:fs/promises';

/** `file` replaced atomically by `text` (0600), fsynced before the rename. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

/** A rename in `dir` survives a crash once the directory itself is fsynced. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
