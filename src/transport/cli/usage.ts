/**
 * Every command's usage line, in the order `quorum help` lists them. Kept apart from the
 * commands themselves so that `quorum help` (and a usage error) loads nothing else: each
 * command's module is imported only when it runs (run.ts).
 */
const STORE = '[--dir DIR | --store DIR|s3://BUCKET/PREFIX]';

export const USAGE = {
  'etcd check': 'quorum etcd check [--cluster NAME] [--json] [--timeout 5s]',
  'etcd snapshot': `quorum etcd snapshot [--cluster NAME] ${STORE} [--compress] [--json]`,
  'etcd snapshots': `quorum etcd snapshots [--cluster NAME] ${STORE} [--verify] [--json]`,
  'etcd verify': `quorum etcd verify FILE|ID|s3://BUCKET/KEY [--cluster NAME] ${STORE} [--json]`,
  'etcd restore-plan': `quorum etcd restore-plan ID [--cluster NAME] ${STORE} [--json]`,
  'etcd prune': `quorum etcd prune [--cluster NAME] ${STORE} [--dry-run]`,
  'etcd drill': 'quorum etcd drill [ID|latest] [--cluster NAME] [--dir DIR] [--json]',
  'etcd defrag': 'quorum etcd defrag [--cluster NAME] [--json]',
  'etcd compact': 'quorum etcd compact [--cluster NAME] [--json]',
  'etcd alarms': 'quorum etcd alarms [disarm] [--cluster NAME] [--json]',
  'upgrade check':
    'quorum upgrade check --to VERSION [--allow-prerelease] [--cluster NAME] [--json] [--timeout 5s]',
  'security audit': 'quorum security audit [--cluster NAME] [--json] [--since FILE] [--timeout 5s]',
  'backup status': 'quorum backup status [--cluster NAME] [--json] [--timeout 5s]',
  worker: 'quorum worker [--cluster NAME] [--concurrency N]',
  start: 'quorum start [--concurrency N]',
  bot: 'quorum bot',
  'audit-log': 'quorum audit-log [--since 24h] [--json]',
  'runbook list': 'quorum runbook list [--json]',
  'runbook show': 'quorum runbook show ID [--json]',
} as const;

export type CommandName = keyof typeof USAGE;
