/**
 * Kubernetes API failures → QuorumErrors that name the server and say what to check.
 * Classified by HTTP status and Node's error codes, never by message text. Nothing
 * from the request (headers, tokens) goes into a message.
 */
import { ApiException } from '@kubernetes/client-node';
import { QuorumError } from '../domain/errors.js';

/** What was being done, for messages: `GET /api/v1/nodes` or `list nodes`. */
export interface CallContext {
  server: string;
  what: string;
  timeoutMs: number;
}

/** Raised by the call runner when the deadline passes first. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** The Status object's message from an error body (JSON text), when there is one. */
export function statusMessage(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const status = JSON.parse(body) as { kind?: string; message?: unknown };
    return typeof status.message === 'string' ? status.message : undefined;
  } catch {
    return body.trim().split('\n')[0]?.slice(0, 200) || undefined;
  }
}

function reachHint(server: string): string {
  return (
    `Check that kube-apiserver runs (on a control-plane node: \`crictl ps --name kube-apiserver\`, ` +
    `\`journalctl -u kubelet --since -30m\`), that ${server} is reachable from this worker ` +
    `(\`curl -sk ${server}/livez\`), and the server address in the kubeconfig.`
  );
}

function fromHttp(err: ApiException<unknown>, ctx: CallContext): QuorumError {
  const detail = statusMessage(err.body);
  const said = detail ? `: ${detail}` : '';
  if (err.code === 401) {
    return new QuorumError(
      'KUBE_UNAUTHORIZED',
      `The Kubernetes API server ${ctx.server} rejected Quorum's credentials (HTTP 401) for ${ctx.what}.`,
      'The token or client certificate in the kubeconfig is wrong or expired: try ' +
        '`kubectl --kubeconfig <file> auth whoami`, renew it (kubeadm: `kubeadm certs check-expiration`), ' +
        "or check the service account's token.",
      { cause: err },
    );
  }
  if (err.code === 403) {
    return new QuorumError(
      'KUBE_FORBIDDEN',
      `The Kubernetes API server ${ctx.server} refused ${ctx.what} (HTTP 403)${said}.`,
      "Grant Quorum's identity this permission in a ClusterRole and check it with " +
        '`kubectl auth can-i <verb> <resource> --as <identity>`.',
      { cause: err },
    );
  }
  return new QuorumError(
    'KUBE_OPERATION_FAILED',
    `${ctx.what} failed on ${ctx.server}: HTTP ${err.code}${said}.`,
    err.code >= 500 ? reachHint(ctx.server) : undefined,
    { cause: err },
  );
}

function networkReason(err: unknown): { code?: string; reason: string } {
  const e = err as { code?: unknown; errno?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : typeof e.errno === 'string' ? e.errno : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  // node-fetch: "request to https://h/x failed, reason: connect ECONNREFUSED 10.0.0.1:6443"
  const reason = /reason: (.*)$/s.exec(message)?.[1] ?? message;
  return { code: code || undefined, reason: reason.split('\n')[0]?.trim() ?? code };
}

/** Any failure of a call → a QuorumError (QuorumErrors pass through unchanged). */
export function toKubeError(err: unknown, ctx: CallContext): QuorumError {
  if (err instanceof QuorumError) return err;
  if (err instanceof ApiException) return fromHttp(err as ApiException<unknown>, ctx);
  if (err instanceof DeadlineError) {
    return new QuorumError(
      'KUBE_UNREACHABLE',
      `The Kubernetes API server ${ctx.server} did not answer ${ctx.what} within ${ctx.timeoutMs} ms.`,
      reachHint(ctx.server),
      { cause: err },
    );
  }
  const { code, reason } = networkReason(err);
  if (code && TLS_CODES.has(code)) {
    return new QuorumError(
      'KUBE_UNREACHABLE',
      `TLS with the Kubernetes API server ${ctx.server} failed for ${ctx.what}: ${reason}.`,
      "The server's certificate does not match the kubeconfig's certificate-authority(-data) " +
        'or the server address; compare them with `openssl s_client -connect <host:port>`.',
      { cause: err },
    );
  }
  const network = Boolean(code) || (err as { name?: string }).name === 'FetchError';
  return new QuorumError(
    network ? 'KUBE_UNREACHABLE' : 'KUBE_OPERATION_FAILED',
    network
      ? `The Kubernetes API server ${ctx.server} is unreachable (${ctx.what}): ${reason}.`
      : `${ctx.what} failed on ${ctx.server}: ${reason}.`,
    network ? reachHint(ctx.server) : undefined,
    { cause: err },
  );
}
