/**
 * Snapshot file names: `<cluster>-<yyyymmddTHHMMSSZ>-r<revision>[-<n>].db[.gz]`, temp files,
 * sidecars. `-<n>` (2, 3, …) keeps ids unique when two snapshots share a second and a revision.
 */
export const TEMP_SUFFIX = '.partial';
export const META_SUFFIX = '.json';

const NAME = /^([a-z0-9-]+)-(\d{8}T\d{6}Z)-r(\d+)(?:-(\d+))?\.db(\.gz)?$/;

export function snapshotFileName(
  cluster: string,
  at: Date,
  revision: number,
  compressed: boolean,
  /** Ids already in the store: the name gets the first free `-<n>`. */
  taken: ReadonlySet<string> = new Set(),
): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  const base = `${cluster}-${stamp}-r${revision}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return `${id}.db${compressed ? '.gz' : ''}`;
}

/** `.prod-…-r42.db.4711.partial`: hidden, never listed, owned by process 4711. */
export function tempFileName(finalName: string, pid: number): string {
  return `.${finalName}.${pid}${TEMP_SUFFIX}`;
}

export function parseSnapshotName(file: string) {
  const m = NAME.exec(file);
  if (!m) return undefined;
  const s = m[2] as string;
  const createdAt = new Date(
    `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`,
  );
  return { cluster: m[1] as string, createdAt, revision: Number(m[3]), compressed: Boolean(m[5]) };
}

/** The id of a snapshot is its file name without `.db`/`.db.gz`. */
export function snapshotId(file: string): string {
  return file.replace(/\.db(\.gz)?$/, '');
}

export function tempOwner(file: string): number | undefined {
  const m = /\.(\d+)\.partial$/.exec(file);
  return m ? Number(m[1]) : undefined;
}
