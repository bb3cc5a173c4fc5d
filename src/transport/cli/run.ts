/**
 * The CLI dispatcher: finds the command, runs it, and turns every error into a
 * message and exit status 3 — never a stack trace (LOG_LEVEL=debug logs it). With
 * `--json` the error is a JSON object on stdout instead: `{"status":"error","code",…}`.
 */
import { describeError, isQuorumError, QuorumError } from '../../domain/errors.js';
import { fileAccessError } from '../../domain/file-error.js';
import { closest } from './args.js';
import { printError, type CliDeps, type CliIo, type ExitStatus } from './io.js';
import { USAGE, type CommandName } from './usage.js';

type Command = (args: string[], io: CliIo, deps: CliDeps) => Promise<ExitStatus>;

/**
 * Each command's module, imported only when it runs: `quorum help` loads none of them,
 * and `quorum etcd check` never loads Bolt, BullMQ, ioredis, prom-client or client-node
 * (test/integration/cli-imports.test.ts reads the loaded modules to hold this).
 */
const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  'etcd check': async () => (await import('./commands/etcd-check.js')).etcdCheckCommand,
  'etcd snapshot': async () => (await import('./commands/etcd-snapshot.js')).snapshotCommand,
  'etcd snapshots': async () => (await import('./commands/etcd-snapshot.js')).listCommand,
  'etcd verify': async () => (await import('./commands/etcd-snapshot.js')).verifyCommand,
  'etcd restore-plan': async () => (await import('./commands/etcd-snapshot.js')).restorePlanCommand,
  'etcd prune': async () => (await import('./commands/etcd-snapshot.js')).pruneCommand,
  'etcd drill': async () => (await import('./commands/etcd-drill.js')).drillCommand,
  'etcd defrag': async () => (await import('./commands/etcd-maintenance.js')).defragCommand,
  'etcd compact': async () => (await import('./commands/etcd-maintenance.js')).compactCommand,
  'etcd alarms': async () => (await import('./commands/etcd-maintenance.js')).alarmsCommand,
  'upgrade check': async () => (await import('./commands/upgrade-check.js')).upgradeCheckCommand,
  'security audit': async () => (await import('./commands/security-audit.js')).securityAuditCommand,
  'backup status': async () => (await import('./commands/backup-status.js')).backupStatusCommand,
  worker: async () => (await import('./commands/worker.js')).workerCommand,
  start: async () => (await import('./commands/start.js')).startCommand,
  bot: async () => (await import('./commands/start.js')).botCommand,
  'audit-log': async () => (await import('./commands/audit-log.js')).auditLogCommand,
  'runbook list': async () => (await import('./commands/runbook.js')).runbookListCommand,
  'runbook show': async () => (await import('./commands/runbook.js')).runbookShowCommand,
};

const isCommand = (name: string): name is CommandName => Object.hasOwn(USAGE, name);

export const HELP = [
  'Quorum: etcd and Kubernetes operations for self-managed clusters.',
  '',
  'Usage:',
  ...Object.values(USAGE).map((usage) => `  ${usage}`),
  '',
  'Exit status: 0 ok, 1 warnings, 2 critical, 3 could not run.',
  'Configuration: ETCDCTL_* variables as etcdctl reads them, or QUORUM_CONFIG=config.yaml (see docs/configuration.md).',
  '',
].join('\n');

function findCommand(argv: string[]): { name: CommandName; rest: string[] } {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    if (isCommand(name)) return { name, rest: argv.slice(words) };
  }
  const said = argv
    .filter((a) => !a.startsWith('-'))
    .slice(0, 2)
    .join(' ');
  const guess = closest(said, Object.keys(USAGE));
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
function asQuorumError(err: unknown, deps: CliDeps | undefined): QuorumError {
  if (isQuorumError(err)) return err;
  const file = fileAccessError(err);
  if (file) return file;
  deps?.logger.debug({ err }, 'command failed');
  return new QuorumError(
    'INTERNAL',
    describeError(err),
    'This is unexpected: run again with LOG_LEVEL=debug and report it.',
    { cause: err },
  );
}

/**
 * Runs one command. `deps` may be given as a function: it is called only when a command
 * runs, so help and usage errors build (and load) none of the clients.
 */
export async function runCli(
  argv: string[],
  io: CliIo,
  deps: CliDeps | (() => Promise<CliDeps>),
): Promise<ExitStatus> {
  if (argv.length === 0 || ['help', '--help', '-h'].includes(argv[0] ?? '')) {
    io.stdout(HELP);
    return argv.length === 0 ? 3 : 0;
  }
  let built: CliDeps | undefined = typeof deps === 'function' ? undefined : deps;
  try {
    const { name, rest } = findCommand(argv);
    if (wantsHelp(rest)) {
      io.stdout(`Usage: ${USAGE[name]}\n`);
      return 0;
    }
    const run = await COMMANDS[name]();
    built ??= await (deps as () => Promise<CliDeps>)();
    return await run(rest, io, built);
  } catch (err) {
    printError(io, asQuorumError(err, built), wantsJson(argv));
    return 3;
  }
}
