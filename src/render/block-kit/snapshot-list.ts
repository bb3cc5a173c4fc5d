/** `/etcd-snapshot list` for Slack: kept snapshots, newest first, packed into few sections. */
import { formatAge, formatBytes } from '../../domain/units.js';
import type { SnapshotEntry } from '../../domain/snapshot.js';
import type { Block, SlackMessage } from './blocks.js';
import { capBlocks, context, header, section } from './build.js';
import { escapeMrkdwn, inlineCode } from './escape.js';
import { LIMITS, truncate } from './limits.js';
import { SIGN } from './verdict.js';

const age = (iso: string, now: Date) => (iso ? `${formatAge(iso, now)} ago` : 'age unknown');

/** The directory of a snapshot path (renderers use no node:path). */
const dirOf = (file: string) => file.slice(0, Math.max(1, file.lastIndexOf('/')));

function line(e: SnapshotEntry, now: Date): string {
  const verified = e.verified
    ? `${SIGN.ok} checked when taken`
    : `${SIGN.warn} ${escapeMrkdwn(truncate(e.problem ?? 'not checked', 200))}`;
  const rev = e.revision !== undefined ? `rev ${e.revision}` : 'rev ?';
  return `${inlineCode(e.id)} · ${age(e.createdAt, now)} · ${rev} · ${formatBytes(e.size)} · ${verified}`;
}

/** Lines packed into sections of at most 3000 characters. */
function pack(lines: string[]): string[] {
  const texts: string[] = [];
  let current = '';
  for (const l of lines) {
    const next = current ? `${current}\n${l}` : l;
    if (next.length > LIMITS.sectionText && current) {
      texts.push(current);
      current = l;
    } else current = next;
  }
  if (current) texts.push(current);
  return texts;
}

export function snapshotListMessage(
  cluster: string,
  entries: readonly SnapshotEntry[],
  now: Date,
): SlackMessage {
  const n = entries.length;
  const newest = entries[0];
  const summary = newest
    ? `${n} snapshot${n === 1 ? '' : 's'} kept, newest ${age(newest.createdAt, now)}`
    : 'No snapshots kept';
  const head: Block[] = [header(`etcd snapshots of ${cluster}`), section(`*${summary}*`)];
  const room = LIMITS.blocks - head.length - 1;
  const texts = pack(entries.map((e) => line(e, now)));
  const shown = texts.slice(0, texts.length > room ? room - 1 : room);
  const body: Block[] = shown.map((t) => section(t));
  if (shown.length < texts.length) {
    const listed = shown.reduce((sum, t) => sum + t.split('\n').length, 0);
    body.push(context(`_…${n - listed} older snapshots left out._`));
  }
  const tail = newest
    ? context(
        `${SIGN.ok} _checked when taken_: the stream's SHA-256 matched as it was saved and the file is still that size; ` +
          `the files are not re-read. Re-read them on the machine that keeps them: ` +
          `\`quorum etcd snapshots --cluster ${escapeMrkdwn(cluster)} --dir ${escapeMrkdwn(dirOf(newest.path))} --verify\` · ` +
          `restore plan: \`/etcd-snapshot restore-plan ID\``,
      )
    : context(`Take one now: \`/etcd-snapshot ${escapeMrkdwn(cluster)}\``);
  return {
    text: truncate(`etcd snapshots of ${escapeMrkdwn(cluster)}: ${summary}`, LIMITS.fallbackText),
    blocks: capBlocks([...head, ...body, tail]),
  };
}
