/**
 * etcd3's and gRPC's errors → the kinds operations/etcd/client.ts declares (EtcdCallError
 * and its subclasses), so operations decide with `instanceof`. Classified by etcd3's
 * error classes (it casts the errors of unary calls) or by the gRPC status code (stream
 * errors arrive uncast, with a numeric `code`). Where etcd answers two errors with one
 * code, etcd's own error text tells them apart: that is looked at here, and only here.
 * The message keeps what an operator needs: `connect ECONNREFUSED 10.0.0.3:2379`.
 */
import {
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCInvalidArgumentError,
  GRPCOutOfRangeError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
  GRPCUnknownError,
} from 'etcd3';
import {
  EtcdAuthError,
  EtcdCallError,
  EtcdDeadlineError,
  EtcdFutureRevisionError,
  EtcdPermissionError,
  EtcdUnavailableError,
  RevisionCompactedError,
} from '../operations/etcd/client.js';

/** gRPC status codes (grpc/doc/statuscodes.md) that etcd's errors arrive with. */
const GRPC = {
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  OUT_OF_RANGE: 11,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

type ErrorClass = abstract new (...args: never[]) => Error;

/** etcd3's classes, by the status they stand for (its own credential errors as UNAUTHENTICATED). */
const CLASS_STATUS: [ErrorClass, number][] = [
  [GRPCDeadlineExceededError, GRPC.DEADLINE_EXCEEDED],
  [GRPCUnavailableError, GRPC.UNAVAILABLE],
  [EtcdPermissionDeniedError, GRPC.PERMISSION_DENIED],
  [GRPCUnauthenticatedError, GRPC.UNAUTHENTICATED],
  [EtcdAuthenticationFailedError, GRPC.UNAUTHENTICATED],
  [EtcdInvalidAuthTokenError, GRPC.UNAUTHENTICATED],
  [GRPCOutOfRangeError, GRPC.OUT_OF_RANGE],
  [GRPCInvalidArgumentError, GRPC.INVALID_ARGUMENT],
  [GRPCUnknownError, GRPC.UNKNOWN],
];

function grpcStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number') return code;
  return CLASS_STATUS.find(([cls]) => err instanceof cls)?.[1];
}

/** What the call asked for, for the errors that name it. */
export interface CallContext {
  revision?: number;
}

type Kind = (message: string, err: unknown, ctx: CallContext) => EtcdCallError;

/**
 * etcd answers these with a code it also uses for other errors, so its error text (its
 * constants, the same in 3.4 and 3.5) is what tells them apart: ErrCompacted and
 * ErrFutureRev are both OUT_OF_RANGE; ErrUserEmpty (auth on, no user) is INVALID_ARGUMENT;
 * the Maintenance calls return the auth package's errors unconverted, as UNKNOWN.
 */
const SHARED_CODE: { status: number; text: string; kind: Kind }[] = [
  {
    status: GRPC.OUT_OF_RANGE,
    text: 'required revision has been compacted',
    kind: (_, err, ctx) => new RevisionCompactedError(ctx.revision ?? 0, err),
  },
  {
    status: GRPC.OUT_OF_RANGE,
    text: 'required revision is a future revision',
    kind: (_, err, ctx) => new EtcdFutureRevisionError(ctx.revision ?? 0, err),
  },
  {
    status: GRPC.INVALID_ARGUMENT,
    text: 'etcdserver: user name is empty',
    kind: (m, err) => new EtcdAuthError(m, err),
  },
  {
    status: GRPC.UNKNOWN,
    text: 'auth: user name is empty',
    kind: (m, err) => new EtcdAuthError(m, err),
  },
  {
    status: GRPC.UNKNOWN,
    text: 'auth: invalid auth token',
    kind: (m, err) => new EtcdAuthError(m, err),
  },
  {
    status: GRPC.UNKNOWN,
    text: 'auth: permission denied',
    kind: (m, err) => new EtcdPermissionError(m, err),
  },
];

/** gRPC's message, shortened to what an operator needs: `connect ECONNREFUSED 10.0.0.3:2379`. */
function shortMessage(raw: string): string {
  const last = /Last error: (?:Error: )?(.*?)(?:\. Resolution note.*)?$/s.exec(raw)?.[1];
  let message = last ?? raw.replace(/^\d+ [A-Z_]+: /, '');
  if (/certificate|SSL|TLS|handshake/i.test(raw) && !last) message = `TLS: ${message}`;
  return message.split('\n')[0]?.trim() || 'unknown etcd error';
}

/** Any failure of an etcd3 call as one of the kinds of operations/etcd/client.ts. */
export function toEtcdError(err: unknown, ctx: CallContext = {}): EtcdCallError {
  if (err instanceof EtcdCallError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const message = shortMessage(raw);
  const status = grpcStatus(err);
  switch (status) {
    case GRPC.DEADLINE_EXCEEDED:
      return new EtcdDeadlineError(err);
    case GRPC.UNAVAILABLE:
      return new EtcdUnavailableError(message, err);
    case GRPC.PERMISSION_DENIED:
      return new EtcdPermissionError(message, err);
    case GRPC.UNAUTHENTICATED:
      return new EtcdAuthError(message, err);
  }
  const shared = SHARED_CODE.find((s) => s.status === status && raw.includes(s.text));
  return shared ? shared.kind(message, err, ctx) : new EtcdCallError(message, err);
}
