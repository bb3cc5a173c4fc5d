/**
 * What the person who asked is told when something fails: a QuorumError as it is (its
 * message, hint and code), a failed file access as FILE_ACCESS_FAILED, and anything
 * else as INTERNAL — a fixed sentence and where to look, never the thrown text, which
 * only the log gets (under the same correlation id: a job id, a Slack trigger id).
 */
import { isQuorumError, QuorumError } from './errors.js';
import { fileAccessError } from './file-error.js';

/** `ref` names what the log line carries, e.g. `job etcd.check@123` or `trigger 123.456`. */
export function toUserError(err: unknown, ref: string): QuorumError {
  if (isQuorumError(err)) return err;
  const file = fileAccessError(err);
  if (file) return file;
  return new QuorumError(
    'INTERNAL',
    'Quorum could not do that (INTERNAL): it did not expect this failure.',
    `Whoever runs Quorum finds the details in its log under ${ref}. Try again; if it fails the same way, report it with that id.`,
    { cause: err },
  );
}
