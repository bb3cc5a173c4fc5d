/**
 * The name of the Backup one `/velero-backup` job makes: `quorum-<namespace>-<10 hex of the
 * job id's SHA-256>`. The same job (a retry, a re-delivery) always names the same Backup,
 * so it finds the one it made instead of making a second. A DNS-1123 name of at most 63
 * characters, as Velero needs: it copies the name into label values.
 */
import { createHash } from 'node:crypto';

const PREFIX = 'quorum-';
const HASH = 10;
/** What is left for the namespace: 63 − prefix − '-' − hash. */
const ROOM = 63 - PREFIX.length - 1 - HASH;

export function backupNameFor(namespace: string, jobId: string): string {
  const hash = createHash('sha256').update(jobId).digest('hex').slice(0, HASH);
  const ns = namespace.slice(0, ROOM).replace(/-+$/, '');
  return `${PREFIX}${ns}-${hash}`;
}
