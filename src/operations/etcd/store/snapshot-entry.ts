/** What every store says of a kept snapshot: verified or why not, and the order of a listing. */
import type { SnapshotEntry, SnapshotMeta } from '../../../domain/snapshot.js';
import { parseSnapshotName, snapshotId } from '../snapshot-names.js';

/** Why a stored snapshot does not count as verified, or undefined when it does. */
export function entryProblem(meta: SnapshotMeta | undefined, size: number): string | undefined {
  return !meta
    ? 'no metadata sidecar'
    : !meta.verified
      ? 'hash not verified at save time'
      : meta.size !== size
        ? `size changed since it was saved (${meta.size} → ${size} bytes)`
        : undefined;
}

/** The entry for stored snapshot `file` at `location` (its path or URL); undefined for another name. */
export function snapshotEntry(
  file: string,
  location: string,
  size: number,
  meta: SnapshotMeta | undefined,
): SnapshotEntry | undefined {
  const parsed = parseSnapshotName(file);
  if (!parsed) return undefined;
  const problem = entryProblem(meta, size);
  return {
    id: snapshotId(file),
    path: location,
    cluster: parsed.cluster,
    createdAt: meta?.startedAt ?? parsed.createdAt.toISOString(),
    revision: meta?.revision ?? parsed.revision,
    size,
    verified: problem === undefined,
    problem,
    meta,
  };
}

/** Newest first; ties by revision. */
export const newestFirst = (a: SnapshotEntry, b: SnapshotEntry) =>
  b.createdAt.localeCompare(a.createdAt) || (b.revision ?? 0) - (a.revision ?? 0);

/** A parsed metadata document, or undefined when it is none of ours. */
export function parseMeta(text: string): SnapshotMeta | undefined {
  try {
    const meta = JSON.parse(text) as SnapshotMeta;
    return meta.format === 1 ? meta : undefined;
  } catch {
    return undefined;
  }
}
