/**
 * The CLI dispatcher: finds the command, runs it, and turns every error into a
 * message and exit status 3 — never a stack trace (LOG_LEVEL=debug logs it). With
 * `--json` the error is a JSON object on stdout instead: `{"status":"error","code",…}`.
 */
import { describeError, isQuorumError, QuorumError } from '../../domain/errors.js';
import { closest } from './args.js';
import { auditLogCommand, USAGE as AUDIT_USAGE } from './commands/audit-log.js';
import { etcdCheckCommand, USAGE as CHECK_USAGE } from './commands/etcd-check.js';
import { drillCommand, DRILL_USAGE } from './commands/etcd-drill.js';
import * as maintenance from './commands/etcd-maintenance.js';
import * as snapshot from './commands/etcd-snapshot.js';
import * as runbook from './commands/runbook.js';
import { securityAuditCommand, USAGE as SECURITY_AUDIT_USAGE } from './commands/security-audit.js';
import { botCommand, BOT_USAGE, startCommand, START_USAGE } from './commands/start.js';
import { upgradeCheckCommand, USAGE as UPGRADE_CHECK_USAGE } from './commands/upgrade-check.js';
import { workerCommand, WORKER_USAGE } from './commands/worker.js';
import { printError, type CliDeps, type CliIo, type ExitStatus } from './io.js';
import { fileAccessError } from '../../domain/file-error.js';

type Command = (args: string[], io: CliIo, deps: CliDeps) => Promise<ExitStatus>;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  'etcd check': { run: etcdCheckCommand, usage: CHECK_USAGE },
  'etcd snapshot': { run: snapshot.snapshotCommand, usage: snapshot.SNAPSHOT_USAGE },
  'etcd snapshots': { run: snapshot.listCommand, usage: snapshot.LIST_USAGE },
  'etcd verify': { run: snapshot.verifyCommand, usage: snapshot.VERIFY_USAGE },
  'etcd restore-plan': { run: snapshot.restorePlanCommand, usage: snapshot.PLAN_USAGE },
  'etcd prune': { run: snapshot.pruneCommand, usage: snapshot.PRUNE_USAGE },
  'etcd drill': { run: drillCommand, usage: DRILL_USAGE },
  'etcd defrag': { run: maintenance.defragCommand, usage: maintenance.DEFRAG_USAGE },
  'etcd compact': { run: maintenance.compactCommand, usage: maintenance.COMPACT_USAGE },
  'etcd alarms': { run: maintenance.alarmsCommand, usage: maintenance.ALARMS_USAGE },
  'upgrade check': { run: upgradeCheckCommand, usage: UPGRADE_CHECK_USAGE },
  'security audit': { run: securityAuditCommand, usage: SECURITY_AUDIT_USAGE },
  worker: { run: workerCommand, usage: WORKER_USAGE },
  start: { run: startCommand, usage: START_USAGE },
  bot: { run: botCommand, usage: BOT_USAGE },
  'audit-log': { run: auditLogCommand, usage: AUDIT_USAGE },
  'runbook list': { run: runbook.runbookListCommand, usage: runbook.LIST_USAGE },
  'runbook show': { run: runbook.runbookShowCommand, usage: runbook.SHOW_USAGE },
};

export const HELP = [
  'Quorum: etcd and Kubernetes operations for self-managed clusters.',
  '',
  'Usage:',
  ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
  '',
  'Exit status: 0 ok, 1 warnings, 2 critical, 3 could not run.',
  'Configuration: ETCDCTL_* variables as etcdctl reads them, or QUORUM_CONFIG=config.yaml (see docs/configuration.md).',
  '',
].join('\n');

function findCommand(argv: string[]): { name: string; rest: string[] } {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    if (COMMANDS[name]) return { name, rest: argv.slice(words) };
  }
  const said = argv
    .filter((a) => !a.startsWith('-'))
    .slice(0, 2)
    .join(' ');
  const guess = closest(said, Object.keys(COMMANDS));
  throw new QuorumError(
    'USAGE',
    said ? `Unknown command "${said}".` : 'No command given.',
    guess
      ? `Did you mean: quorum ${guess}?  (quorum help lists all)`
      : 'Run quorum help for the commands.',
  );
}

/** `--json` anywhere before a `--`: the caller wants every answer, errors too, as JSON. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some(
    (a) => a === '--json' || a.startsWith('--json='),
  );
}

/** `--help` or `-h` among a command's flags: print its usage instead of running it. */
function wantsHelp(rest: readonly string[]): boolean {
  const end = rest.indexOf('--');
  return (end === -1 ? rest : rest.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Any thrown value as a coded error with a hint; what was unexpected is logged (debug), not shown. */
function asQuorumError(err: unknown, deps: CliDeps): QuorumError {
  if (isQuorumError(err)) return err;
  const file = fileAccessError(err);
  if (file) return file;
  deps.logger.debug({ err }, 'command failed');
  return new QuorumError(
    'INTERNAL',
    describeError(err),
    'This is unexpected: run again with LOG_LEVEL=debug and report it.',
    { cause: err },
  );
}

export async function runCli(argv: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  if (argv.length === 0 || ['help', '--help', '-h'].includes(argv[0] ?? '')) {
    io.stdout(HELP);
    return argv.length === 0 ? 3 : 0;
  }
  try {
    const { name, rest } = findCommand(argv);
    const command = COMMANDS[name] as { run: Command; usage: string };
    if (wantsHelp(rest)) {
      io.stdout(`Usage: ${command.usage}\n`);
      return 0;
    }
    return await command.run(rest, io, deps);
  } catch (err) {
    printError(io, asQuorumError(err, deps), wantsJson(argv));
    return 3;
  }
}
