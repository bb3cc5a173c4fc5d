/**
 * Slash commands, parsed once into typed intents. Bad input becomes a USAGE
 * error naming what is wrong, the right form, and the closest valid word.
 */
import { checkCron } from '../../../domain/cron.js';
import { parseDuration } from '../../../domain/units.js';
import { isQuorumError, QuorumError } from '../../../domain/errors.js';
import { closest } from '../../../domain/suggest.js';
import { dns1123LabelProblem } from '../../../domain/kube-name.js';
import { parseKubeVersion } from '../../../operations/upgrade/kube-version.js';
import { tokenize } from './tokenize.js';

export type Intent =
  | { action: 'etcd.check'; cluster: string }
  | { action: 'etcd.snapshot'; cluster: string }
  | { action: 'etcd.snapshot.list'; cluster: string }
  | { action: 'etcd.snapshot.schedule'; cluster: string; schedule: Schedule; job?: 'drill' }
  | { action: 'etcd.drill'; cluster: string; snapshotId?: string }
  | { action: 'etcd.restore-plan'; cluster: string; snapshotId: string }
  | { action: 'etcd.defrag'; cluster: string }
  | { action: 'upgrade.check'; cluster: string; to: string }
  | { action: 'security.audit'; cluster: string }
  | { action: 'backup.status'; cluster: string }
  | { action: 'velero.backup'; cluster: string; namespace: string }
  | { action: 'runbook.list' }
  | { action: 'runbook.run'; runbook: string; cluster: string; params: Record<string, string> }
  | { action: 'help' };

export type Schedule = { every: number } | { cron: string } | { off: true };

export interface ParseContext {
  clusters: readonly string[];
  /** Runbook ids, for `/runbook run ID` and its suggestions. */
  runbooks?: readonly string[];
}

export const COMMAND_HELP: Record<string, string[]> = {
  '/etcd-check': ['/etcd-check [CLUSTER]  — the full etcd health report'],
  '/etcd-snapshot': [
    '/etcd-snapshot [CLUSTER]  — take, verify and keep a snapshot now',
    '/etcd-snapshot list [CLUSTER]  — the snapshots kept, newest first',
    '/etcd-snapshot schedule [CLUSTER] every 6h  ·  cron "0 */6 * * *"  ·  off',
    '/etcd-snapshot restore-plan ID  — the exact restore procedure',
    '/etcd-snapshot drill [CLUSTER|ID]  — prove the newest (or that) snapshot restores, and how long it takes',
    '/etcd-snapshot schedule [CLUSTER] drill every 24h  ·  cron "0 4 * * *"  ·  off',
  ],
  '/etcd-defrag': [
    '/etcd-defrag [CLUSTER]  — defragment member by member, leader last (needs approval)',
  ],
  '/k8s-upgrade-check': [
    '/k8s-upgrade-check VERSION [CLUSTER]  — go / no-go and the ordered upgrade plan (e.g. v1.32.0)',
  ],
  '/security-audit': [
    '/security-audit [CLUSTER]  — etcd and Secrets at rest, RBAC and pods, NetworkPolicies, images, API server flags; what changed since last time',
  ],
  '/backup-status': [
    '/backup-status [CLUSTER]  — etcd snapshots and Velero backups of volumes, with what is not covered',
  ],
  '/velero-backup': [
    '/velero-backup NAMESPACE [CLUSTER]  — a Velero backup of one namespace now, watched until it ends',
  ],
  '/runbook': [
    '/runbook list  — the runbooks Quorum knows',
    '/runbook run ID [CLUSTER] [key=value …]  — start one in a new thread',
  ],
  '/quorum': ['/quorum help  — every command with an example'],
};

const usage = (command: string) => `Usage:\n${(COMMAND_HELP[command] ?? []).join('\n')}`;
const wrong = (command: string, message: string, hint?: string) =>
  new QuorumError('USAGE', message, `${hint ? `${hint}\n` : ''}${usage(command)}`);

/** The cluster named in `word`, or the only configured one when `word` is absent. */
function cluster(command: string, word: string | undefined, ctx: ParseContext): string {
  if (word === undefined) {
    if (ctx.clusters.length === 1) return ctx.clusters[0] as string;
    throw wrong(
      command,
      `Name the cluster: ${ctx.clusters.length} are configured (${ctx.clusters.join(', ')}).`,
    );
  }
  if (ctx.clusters.includes(word)) return word;
  const guess = closest(word, ctx.clusters);
  throw wrong(
    command,
    `No cluster named "${word}".`,
    guess ? `Did you mean ${guess}?` : `Configured: ${ctx.clusters.join(', ')}.`,
  );
}

function noMore(command: string, rest: string[]) {
  if (rest.length > 0) throw wrong(command, `Unexpected "${rest.join(' ')}".`);
}

function schedule(command: string, words: string[], ctx: ParseContext): Intent {
  const kinds = ['every', 'cron', 'off'];
  const at = words.findIndex((w) => kinds.includes(w));
  if (at === -1) throw wrong(command, 'Say how often: every 6h, cron "0 */6 * * *", or off.');
  const name = cluster(command, at === 0 ? undefined : words[0], ctx);
  if (at > 1) throw wrong(command, `Unexpected "${words.slice(1, at).join(' ')}".`);
  const [kind, value, ...rest] = words.slice(at);
  noMore(command, rest);
  if (kind === 'off') {
    noMore(command, value === undefined ? [] : [value]);
    return { action: 'etcd.snapshot.schedule', cluster: name, schedule: { off: true } };
  }
  if (kind === 'every') {
    const ms = value === undefined ? undefined : parseDuration(value);
    if (ms === undefined || ms < 60_000)
      throw wrong(
        command,
        `"${value ?? ''}" is not an interval of a minute or more; write e.g. every 6h.`,
      );
    return { action: 'etcd.snapshot.schedule', cluster: name, schedule: { every: ms } };
  }
  // The scheduler's own parser decides, here at the edge: what it would refuse is a usage error.
  const cron = checkCron(value ?? '');
  if (!cron.ok) {
    throw wrong(
      command,
      `"${value ?? ''}" is not a cron pattern: ${cron.problem}.`,
      'Write five fields in UTC, e.g. cron "0 */6 * * *" (every 6 hours).',
    );
  }
  return { action: 'etcd.snapshot.schedule', cluster: name, schedule: { cron: cron.pattern } };
}

/** `schedule [CLUSTER] drill every 24h`: the drill's schedule, said as the snapshot's is. */
function scheduleOrDrill(command: string, words: string[], ctx: ParseContext): Intent {
  const at = words.indexOf('drill');
  if (at !== 0 && at !== 1) return schedule(command, words, ctx);
  const intent = schedule(
    command,
    words.filter((_, i) => i !== at),
    ctx,
  );
  return intent.action === 'etcd.snapshot.schedule' ? { ...intent, job: 'drill' } : intent;
}

/** `drill [CLUSTER]` (the newest verified snapshot) or `drill ID`. */
function drill(command: string, words: string[], ctx: ParseContext): Intent {
  const [target, ...more] = words;
  noMore(command, more);
  if (target && /^[a-z0-9-]+-\d{8}T\d{6}Z-r\d+$/.test(target)) {
    const name = target.replace(/-\d{8}T\d{6}Z-r\d+$/, '');
    return { action: 'etcd.drill', cluster: cluster(command, name, ctx), snapshotId: target };
  }
  return { action: 'etcd.drill', cluster: cluster(command, target, ctx) };
}

function etcdSnapshot(words: string[], ctx: ParseContext): Intent {
  const command = '/etcd-snapshot';
  const [first, ...rest] = words;
  if (first === 'list') {
    noMore(command, rest.slice(1));
    return { action: 'etcd.snapshot.list', cluster: cluster(command, rest[0], ctx) };
  }
  if (first === 'schedule') return scheduleOrDrill(command, rest, ctx);
  if (first === 'drill') return drill(command, rest, ctx);
  if (first === 'restore-plan') {
    const [id, ...more] = rest;
    if (!id || !/^[a-z0-9-]+-\d{8}T\d{6}Z-r\d+$/.test(id)) {
      throw wrong(
        command,
        id ? `"${id}" is not a snapshot id.` : 'Give the snapshot id.',
        'Ids look like prod-20261126T101500Z-r42; /etcd-snapshot list shows them.',
      );
    }
    noMore(command, more);
    return {
      action: 'etcd.restore-plan',
      cluster: cluster(command, id.replace(/-\d{8}T\d{6}Z-r\d+$/, ''), ctx),
      snapshotId: id,
    };
  }
  if (first && !ctx.clusters.includes(first)) {
    const guess = closest(first, [...ctx.clusters, 'list', 'schedule', 'restore-plan', 'drill']);
    throw wrong(
      command,
      `"${first}" is neither a subcommand nor a cluster.`,
      guess ? `Did you mean ${guess}?` : undefined,
    );
  }
  noMore(command, rest);
  return { action: 'etcd.snapshot', cluster: cluster(command, first, ctx) };
}

function runbookCommand(words: string[], ctx: ParseContext): Intent {
  const command = '/runbook';
  const [sub, id, ...rest] = words;
  if (sub === 'list') {
    noMore(command, words.slice(1));
    return { action: 'runbook.list' };
  }
  if (sub !== 'run') {
    const guess = sub ? closest(sub, ['list', 'run']) : undefined;
    throw wrong(
      command,
      sub ? `Unknown subcommand "${sub}".` : 'Say list or run.',
      guess ? `Did you mean ${guess}?` : undefined,
    );
  }
  const known = ctx.runbooks ?? [];
  if (!id || !known.includes(id)) {
    const guess = id ? closest(id, known) : undefined;
    throw wrong(
      command,
      id ? `No runbook "${id}".` : 'Name the runbook.',
      guess ? `Did you mean ${guess}?` : `Runbooks: ${known.join(', ')}.`,
    );
  }
  const params: Record<string, string> = {};
  const positional: string[] = [];
  for (const word of rest) {
    const m = /^([a-z][a-zA-Z0-9]*)=(.*)$/.exec(word);
    if (m) params[m[1] as string] = m[2] as string;
    else positional.push(word);
  }
  noMore(command, positional.slice(1));
  return {
    action: 'runbook.run',
    runbook: id,
    cluster: cluster(command, positional[0], ctx),
    params,
  };
}

function upgradeCheck(words: string[], ctx: ParseContext): Intent {
  const command = '/k8s-upgrade-check';
  const [to, name, ...rest] = words;
  if (!to) throw wrong(command, 'Give the Kubernetes version to upgrade to, e.g. v1.32.0.');
  try {
    parseKubeVersion(to, 'version');
  } catch (err) {
    if (isQuorumError(err) && ctx.clusters.includes(to))
      throw wrong(command, err.message, `Version first: /k8s-upgrade-check v1.32.0 ${to}`);
    if (isQuorumError(err)) throw wrong(command, err.message, err.hint);
    throw err;
  }
  noMore(command, rest);
  return { action: 'upgrade.check', cluster: cluster(command, name, ctx), to };
}

/** `/velero-backup NAMESPACE [CLUSTER]`: the namespace checked as Kubernetes would. */
function veleroBackup(words: string[], ctx: ParseContext): Intent {
  const command = '/velero-backup';
  const [namespace, name, ...rest] = words;
  if (!namespace) throw wrong(command, 'Name the namespace to back up, e.g. /velero-backup shop.');
  const problem = dns1123LabelProblem(namespace);
  if (problem) {
    throw wrong(
      command,
      `"${namespace}" is not a namespace name: ${problem}.`,
      'A namespace name has at most 63 lower-case letters, digits and "-", and starts and ends with a letter or digit, e.g. shop or team-a. Nothing was backed up.',
    );
  }
  noMore(command, rest);
  return { action: 'velero.backup', cluster: cluster(command, name, ctx), namespace };
}

/** `command` is Slack's `command` field (`/etcd-check`), `text` the rest of the line. */
export function parseSlashCommand(command: string, text: string, ctx: ParseContext): Intent {
  if (text.length > 2_000)
    throw wrong(command, 'That is too long for a command (2000 characters at most).');
  const words = tokenize(text);
  switch (command) {
    case '/etcd-check':
      noMore(command, words.slice(1));
      return { action: 'etcd.check', cluster: cluster(command, words[0], ctx) };
    case '/etcd-snapshot':
      return etcdSnapshot(words, ctx);
    case '/etcd-defrag':
      noMore(command, words.slice(1));
      return { action: 'etcd.defrag', cluster: cluster(command, words[0], ctx) };
    case '/k8s-upgrade-check':
      return upgradeCheck(words, ctx);
    case '/security-audit':
      noMore(command, words.slice(1));
      return { action: 'security.audit', cluster: cluster(command, words[0], ctx) };
    case '/backup-status':
      noMore(command, words.slice(1));
      return { action: 'backup.status', cluster: cluster(command, words[0], ctx) };
    case '/velero-backup':
      return veleroBackup(words, ctx);
    case '/runbook':
      return runbookCommand(words, ctx);
    case '/quorum':
      if (words[0] === 'help' || words.length === 0) return { action: 'help' };
      throw wrong(command, `Unknown subcommand "${words[0]}".`, 'Try /quorum help.');
    default:
      throw new QuorumError(
        'USAGE',
        `${command} is not available in this version of Quorum.`,
        'Try /quorum help for the commands it has.',
      );
  }
}
