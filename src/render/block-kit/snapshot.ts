/** Snapshot results for Slack: a snapshot taken, a snapshot verified. */
import { formatBytes, formatDuration } from '../../domain/units.js';
import type { Report } from '../../domain/report.js';
import type { SnapshotEntry, SnapshotMeta } from '../../domain/snapshot.js';
import type { Block, SlackMessage } from './blocks.js';
import { context, fieldSections } from './build.js';
import { escapeMrkdwn, inlineCode } from './escape.js';
import { reportMessage } from './report-message.js';
import { SIGN } from './verdict.js';

/** What operations/etcd/snapshot.ts returns (SnapshotReport). */
export type SnapshotResultReport = Report<{
  meta?: SnapshotMeta;
  path?: string;
  cleanedUp: string[];
}>;
/** What operations/etcd/snapshot-verify.ts returns (VerifyReport). */
export type SnapshotVerifyReport = Report<{
  entry: SnapshotEntry;
  streamSize: number;
  sha256: string;
}>;

const code = inlineCode;
const field = (label: string, value: string) => `*${label}*\n${value}`;

function metaFields(meta: SnapshotMeta): string[] {
  const size = `${formatBytes(meta.size)}${meta.compressed ? ` gzip (${formatBytes(meta.streamSize)} raw)` : ''}`;
  return [
    field('Snapshot', code(meta.id)),
    field('Revision', String(meta.revision)),
    field('Size', size),
    field('From', `${escapeMrkdwn(meta.member.name)} ${code(meta.member.endpoint)}`),
    field('etcd', escapeMrkdwn(meta.etcdVersion)),
    field('Took', formatDuration(meta.durationMs)),
    field('Verified', meta.verified ? `${SIGN.ok} stream SHA-256 matched` : `${SIGN.crit} no`),
    field('SHA-256', code(meta.sha256)),
  ];
}

export function snapshotResultMessage(report: SnapshotResultReport): SlackMessage {
  const { meta, path, cleanedUp } = report.data;
  const notes = [
    path ? `Saved to ${code(path)}` : '',
    cleanedUp.length
      ? `Removed ${cleanedUp.length} temporary file${cleanedUp.length === 1 ? '' : 's'} left by an interrupted snapshot.`
      : '',
  ].filter(Boolean);
  const body: Block[] = [
    ...(meta ? fieldSections(metaFields(meta)) : []),
    ...(notes.length ? [context(notes.join(' · '))] : []),
  ];
  return reportMessage(report, { body, okWord: 'saved and verified' });
}

export function snapshotVerifyMessage(report: SnapshotVerifyReport): SlackMessage {
  const { entry, streamSize, sha256 } = report.data;
  const fields = [
    field('Snapshot', code(entry.id)),
    field('Revision', String(entry.revision ?? '?')),
    field('File size', formatBytes(entry.size)),
    field('Stream size', formatBytes(streamSize)),
    field('SHA-256', code(sha256)),
    field(
      'Metadata',
      entry.meta
        ? entry.meta.sha256 === sha256
          ? `${SIGN.ok} file matches it`
          : `${SIGN.crit} file differs from it`
        : `${SIGN.warn} none`,
    ),
  ];
  return reportMessage(report, {
    body: [...fieldSections(fields), context(`File ${code(entry.path)}`)],
    okWord: 'intact',
  });
}
