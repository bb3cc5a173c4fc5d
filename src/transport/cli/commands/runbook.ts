/** `quorum runbook list` and `quorum runbook show ID`: the runbook catalogue (built-in and `runbooks.dir`). */
import { QuorumError } from '../../../domain/errors.js';
import { findRunbook, loadRunbooks } from '../../../operations/runbooks/load.js';
import { renderRunbook, renderRunbookList } from '../../../render/terminal/runbook.js';
import { findJobKind } from '../../queue/catalogue.js';
import { parseFlags } from '../args.js';
import type { CliDeps, CliIo, ExitStatus } from '../io.js';
import { USAGE as USAGES } from '../usage.js';

const LIST_USAGE = USAGES['runbook list'];
const SHOW_USAGE = USAGES['runbook show'];

function catalogue(io: CliIo, deps: CliDeps) {
  // Only the runbook directory matters here: a config without clusters is fine.
  let dir: string | undefined;
  try {
    dir = deps.loadConfig(io.env).runbooks.dir;
  } catch {
    dir = undefined;
  }
  return loadRunbooks(findJobKind, dir);
}

export function runbookListCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(args, { json: { type: 'boolean' } }, LIST_USAGE);
  if (positionals.length)
    throw new QuorumError(
      'USAGE',
      `Unexpected argument "${positionals[0]}".`,
      `Usage: ${LIST_USAGE}`,
    );
  const runbooks = catalogue(io, deps);
  io.stdout(values.json ? `${JSON.stringify(runbooks, null, 2)}\n` : renderRunbookList(runbooks));
  return Promise.resolve(0);
}

export function runbookShowCommand(args: string[], io: CliIo, deps: CliDeps): Promise<ExitStatus> {
  const { values, positionals } = parseFlags(args, { json: { type: 'boolean' } }, SHOW_USAGE);
  const [id, ...rest] = positionals;
  if (!id || rest.length)
    throw new QuorumError(
      'USAGE',
      id ? `Unexpected argument "${rest[0]}".` : 'Name the runbook.',
      `Usage: ${SHOW_USAGE}; quorum runbook list shows the ids.`,
    );
  const runbook = findRunbook(catalogue(io, deps), id);
  io.stdout(values.json ? `${JSON.stringify(runbook, null, 2)}\n` : renderRunbook(runbook));
  return Promise.resolve(0);
}
