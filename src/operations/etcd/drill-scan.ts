/**
 * The scan phase of a drill: the scratch etcd's revision, then every key and value read
 * once (a streamed range scan in pages, at the revision the counts were recorded at, each
 * value received and dropped), tallied in total and per recorded resource prefix. The
 * restored data holds the history since its last compaction, so that revision is readable
 * unless the cluster compacted past it while the snapshot streamed.
 */
import type { DrillData, DrillPrefixCount } from '../../domain/drill.js';
import type { SnapshotCounts } from '../../domain/snapshot.js';
import { RevisionCompactedError, type EtcdMember } from './client.js';
import { nextPageLimit } from './page-limit.js';
import { resourcePrefix } from './snapshot-counts.js';

export interface ScanResult {
  restoredRevision: number;
  counts?: NonNullable<DrillData['counts']>;
  /** The recorded revision is compacted in the restored data: nothing to compare at it. */
  compacted?: number;
  /** The recorded revision is newer than the restored data: the snapshot is older than recorded. */
  behind?: number;
}

const PAGE = 1_000;

export async function scanRestored(
  member: EtcdMember,
  recorded: SnapshotCounts | undefined,
  deadline: number,
): Promise<ScanResult> {
  const restoredRevision = (await member.status(deadline)).revision;
  if (!recorded) {
    await readEverything(member, restoredRevision, new Set(), deadline);
    return { restoredRevision };
  }
  const { revision } = recorded;
  if (revision > restoredRevision) return { restoredRevision, behind: revision };
  try {
    const wanted = new Set(Object.keys(recorded.prefixes));
    const read = await readEverything(member, revision, wanted, deadline);
    const prefixes: DrillPrefixCount[] = [...wanted].sort().map((prefix) => ({
      prefix,
      recorded: recorded.prefixes[prefix] ?? 0,
      restored: read.byPrefix.get(prefix) ?? 0,
    }));
    return {
      restoredRevision,
      counts: {
        revision,
        recordedTotal: recorded.total,
        restoredTotal: read.keys,
        valueBytes: read.valueBytes,
        prefixes,
      },
    };
  } catch (err) {
    if (err instanceof RevisionCompactedError) return { restoredRevision, compacted: revision };
    throw err;
  }
}

/** Every key and value at `revision`, once, page by page; memory bounded by one page. */
async function readEverything(
  member: EtcdMember,
  revision: number,
  wanted: ReadonlySet<string>,
  deadline: number,
) {
  const byPrefix = new Map<string, number>();
  let keys = 0;
  let valueBytes = 0;
  let startKey = Buffer.from([0]);
  let limit = PAGE;
  for (;;) {
    const page = await member.rangeKeys(
      '',
      { startKey, limit, revision, valuePrefixBytes: 0 },
      deadline,
    );
    // The paged reader moves on to the newest revision when ours is compacted.
    if (page.revision !== revision) throw new RevisionCompactedError(revision);
    for (const { key, valueSize } of page.entries) {
      keys += 1;
      valueBytes += valueSize;
      const prefix = resourcePrefix(key.toString('utf8'));
      if (prefix && wanted.has(prefix)) byPrefix.set(prefix, (byPrefix.get(prefix) ?? 0) + 1);
    }
    const last = page.entries.at(-1);
    if (!page.more || !last) break;
    startKey = Buffer.concat([last.key, Buffer.from([0])]);
    limit = nextPageLimit(valueBytes, keys, PAGE);
  }
  return { keys, valueBytes, byPrefix };
}
