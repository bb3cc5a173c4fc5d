/**
 * `/backup-status` for Slack: the verdict, the two halves side by side (two fields:
 * "Cluster state (etcd)" and "Application data (Velero)", each with its verdict and
 * facts), then each half's findings under its heading, with their remedies. Every name,
 * path and cron the cluster supplied is inline code; the rest is escaped.
 */
import type { Finding } from '../../domain/report.js';
import {
  backupHalves,
  type BackupHalf,
  type BackupStatusView,
  type Fact,
} from '../backup-halves.js';
import type { Block, SlackMessage } from './blocks.js';
import { capBlocks, divider, fieldSections, header, section } from './build.js';
import { escapeMrkdwn, inlineCode } from './escape.js';
import { findingsBlocks } from './findings.js';
import { LIMITS } from './limits.js';
import { genericReportMessage, reportFallback, reportFooter } from './report-message.js';
import { countFindings, countsText, kindLabel, SIGN, verdictText } from './verdict.js';

/** At most this many blocks for the etcd half's findings; the Velero half gets the rest. */
const ETCD_BUDGET = 12;

function halfVerdict(findings: readonly Finding[]): string {
  const { criticals, warnings } = countFindings(findings);
  const sign = criticals ? SIGN.crit : warnings ? SIGN.warn : SIGN.ok;
  return `${sign} ${countsText(criticals, warnings) || 'ok'}`;
}

const factMrkdwn = (f: Fact) =>
  `*${escapeMrkdwn(f.label)}:* ${f.pieces
    .map((p) => (typeof p === 'string' ? escapeMrkdwn(p) : inlineCode(p.code)))
    .join('')}`;

/** One half as a field: its title, its verdict, its facts. */
const halfField = (h: BackupHalf) =>
  [`*${h.title}*`, `*${halfVerdict(h.findings)}*`, ...h.facts.map(factMrkdwn)].join('\n');

export function backupStatusMessage(report: BackupStatusView): SlackMessage {
  if (report.couldNotRun) return genericReportMessage(report);
  const [etcd, velero] = backupHalves(report);
  const cluster = escapeMrkdwn(report.cluster);
  const hint = `Run \`quorum backup status --cluster ${cluster}\` for the full report.`;
  const head: Block[] = [
    // Header text is plain_text: Slack parses no mentions there, so it is not escaped.
    header(`${kindLabel(report.kind)} of ${report.cluster}`),
    section(`*${verdictText(report)}*`),
    ...fieldSections([halfField(etcd), halfField(velero)]),
  ];
  const fixed = head.length + 2 * 2 + 1; // a divider and a heading per half, the footer
  const etcdBlocks = findingsBlocks(etcd.findings, ETCD_BUDGET, hint);
  const room = LIMITS.blocks - fixed - etcdBlocks.length;
  const veleroBlocks = findingsBlocks(velero.findings, room, hint);
  const halfHead = (h: BackupHalf): Block[] => [divider(), section(`*${h.title}*`)];
  return {
    text: reportFallback(report),
    blocks: capBlocks([
      ...head,
      ...halfHead(etcd),
      ...etcdBlocks,
      ...halfHead(velero),
      ...veleroBlocks,
      reportFooter(report),
    ]),
  };
}
