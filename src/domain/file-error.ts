/**
 * A failed filesystem call (Node's error has a path and a syscall) as FILE_ACCESS_FAILED:
 * which path, and what to do about it — for the CLI and for Slack alike.
 */
import { describeError, QuorumError } from './errors.js';

const FILE_HINTS: Record<string, (path: string) => string> = {
  ENOENT: (p) => `${p} does not exist: create it or name another path.`,
  ENOTDIR: (p) => `A part of ${p} is not a directory: name another path.`,
  EISDIR: (p) => `${p} is a directory where a file is needed: name a file.`,
  EACCES: (p) => `This user may not use ${p}: fix its permissions or name another path.`,
  EPERM: (p) => `This user may not use ${p}: fix its permissions or name another path.`,
  EROFS: (p) => `${p} is on a read-only filesystem: name another path.`,
  ENOSPC: (p) => `The disk holding ${p} is full: free space or name another path.`,
};

/** FILE_ACCESS_FAILED for a failed filesystem call; undefined for anything else. */
export function fileAccessError(err: unknown): QuorumError | undefined {
  const e = err as { path?: unknown; syscall?: unknown; code?: unknown } | undefined;
  if (!(err instanceof Error) || typeof e?.path !== 'string' || typeof e.syscall !== 'string')
    return undefined;
  const path = e.path;
  const hint =
    (typeof e.code === 'string' ? FILE_HINTS[e.code]?.(path) : undefined) ??
    `Check ${path} and run again.`;
  return new QuorumError('FILE_ACCESS_FAILED', describeError(err), hint, { cause: err });
}
