/**
 * The etcd3 adapter behind operations/etcd/client.ts: one Etcd3 client per
 * endpoint, no retries or circuit breakers (a health check must see failures as
 * they are), and a deadline on every call, including the auth handshake.
 */
import { Etcd3, type IOptions } from 'etcd3';
import { noop } from 'cockatiel';
import type { AlarmInfo, MemberStatus } from '../domain/etcd.js';
import type { EtcdEndpointAccess } from '../domain/security.js';
import type {
  EtcdConnector,
  EtcdMember,
  KeyPage,
  KeyPageRequest,
} from '../operations/etcd/client.js';
import { EtcdPermissionError, hexId } from '../operations/etcd/client.js';
import { probeEtcdAccess } from './etcd-access.js';
import type { EtcdCredentials } from './etcd-credentials.js';
import { toEtcdError, type CallContext } from './etcd3-errors.js';
import { rangePage } from './etcd3-range.js';
import { snapshotBlob } from './snapshot-blob.js';
import { countRange } from './etcd3-count.js';
import { httpGetText } from './http-get.js';

const num = (v: string | number | undefined) => Number(v ?? 0);
/** An encoded SnapshotRequest: it has no fields. */
const EMPTY_REQUEST = Buffer.alloc(0);

/** The parts of etcd3's connection pool used to reach around two of its bugs. */
interface SnapshotStream extends AsyncIterable<Buffer> {
  cancel(): void;
}
/** grpc-js's Client under etcd3's service stub: a call with our own (de)serializers. */
interface RawClient {
  makeServerStreamRequest(
    method: string,
    serialize: (value: object) => Buffer,
    deserialize: (value: Buffer) => Buffer,
    argument: object,
    metadata: unknown,
  ): SnapshotStream;
}
interface Pool {
  exec<T>(service: string, method: string, payload: unknown, options: unknown): Promise<T>;
  withConnection<T>(
    service: string,
    fn: (c: { client: RawClient; metadata: unknown }) => Promise<T>,
  ): Promise<T>;
}

/** Calls the etcd3 client makes with no explicit deadline get this one. */
const FALLBACK_TIMEOUT_MS = 30_000;

export function etcd3Options(endpoint: string, creds: EtcdCredentials): IOptions {
  const options: IOptions = {
    hosts: endpoint,
    faultHandling: { host: () => noop, global: noop },
    defaultCallOptions: (ctx) =>
      ctx.isStream ? {} : { deadline: Date.now() + FALLBACK_TIMEOUT_MS },
    grpcOptions: {
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 1000,
      // Snapshot streams are bound by HTTP/2 flow control at the 64 KiB default window.
      'grpc-node.flow_control_window': 16 * 2 ** 20,
    },
  };
  if (creds.tls && endpoint.startsWith('https:')) {
    options.credentials = {
      rootCertificate: creds.tls.ca as Buffer,
      certChain: creds.tls.cert,
      privateKey: creds.tls.key,
    };
  }
  if (creds.auth) options.auth = { ...creds.auth };
  return options;
}

/** Every failure leaves the adapter as one of the kinds operations/etcd/client.ts declares. */
async function clean<T>(work: Promise<T>, ctx?: CallContext): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw toEtcdError(err, ctx);
  }
}

export function etcd3Connector(creds: EtcdCredentials): EtcdConnector {
  return (endpoint, metricsUrl) => new Etcd3Member(endpoint, creds, metricsUrl);
}

class Etcd3Member implements EtcdMember {
  readonly client: Etcd3;
  constructor(
    readonly endpoint: string,
    private readonly creds: EtcdCredentials,
    private readonly metricsUrl = `${endpoint.replace(/\/$/, '')}/metrics`,
  ) {
    this.client = new Etcd3(etcd3Options(endpoint, creds));
  }

  async status(deadline: number): Promise<MemberStatus> {
    const s = await clean(this.client.maintenance.status({ deadline }));
    return {
      memberId: hexId(s.header.member_id),
      version: s.version,
      dbSize: num(s.dbSize),
      dbSizeInUse: num(s.dbSizeInUse),
      leader: hexId(s.leader),
      raftTerm: num(s.raftTerm),
      raftIndex: num(s.raftIndex),
      raftAppliedIndex: num(s.raftAppliedIndex),
      isLearner: Boolean(s.isLearner),
      errors: s.errors ?? [],
      revision: num(s.header.revision),
    };
  }

  async healthRead(deadline: number): Promise<void> {
    try {
      await clean(this.client.kv.range({ key: Buffer.from('health') }, { deadline }));
    } catch (err) {
      // As etcdctl: a permission error still proves a linearizable round trip.
      if (!(err instanceof EtcdPermissionError)) throw err;
    }
  }

  async memberList(deadline: number) {
    const res = await clean(this.client.cluster.memberList({}, { deadline }));
    return res.members.map((m) => ({
      id: hexId(m.ID),
      name: m.name,
      peerUrls: m.peerURLs ?? [],
      clientUrls: m.clientURLs ?? [],
      isLearner: Boolean(m.isLearner),
    }));
  }

  async alarms(deadline: number) {
    const res = await clean(
      this.client.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' } as never, {
        deadline,
      }),
    );
    return (res.alarms ?? []).map((a) => ({
      memberId: hexId(a.memberID),
      alarm: String(a.alarm).toUpperCase(),
    }));
  }

  async hashKV(revision: number, deadline: number) {
    // etcd3's maintenance.hashKV() calls a method that does not exist; the gRPC name is HashKV.
    const pool = (
      this.client as unknown as {
        pool: { exec<T>(s: string, m: string, p: unknown, o: unknown): Promise<T> };
      }
    ).pool;
    // A compacted revision throws RevisionCompactedError (etcd3-errors.ts tells it apart).
    const res = await clean(
      pool.exec<{ hash: string; compact_revision: string; header: { revision: string } }>(
        'Maintenance',
        'HashKV',
        { revision },
        { deadline },
      ),
      { revision },
    );
    // The header carries the member's current revision; with 0 that is the one hashed.
    const current = num(res.header.revision);
    return {
      hash: num(res.hash),
      compactRevision: num(res.compact_revision),
      revision: revision === 0 ? current : revision,
    };
  }

  async *snapshot(signal: AbortSignal): AsyncIterable<Buffer> {
    // etcd3's maintenance.snapshot() passes the auth metadata where gRPC expects the
    // request, so etcd answers "user name is empty" under auth. Call the channel directly,
    // with etcd3's connection (TLS) and auth metadata, decoding only each message's blob
    // (snapshot-blob.ts): no protobuf decoding, no copy.
    const pool = (this.client as unknown as { pool: Pool }).pool;
    const stream = await clean(
      pool.withConnection('Maintenance', ({ client, metadata }) =>
        Promise.resolve(
          client.makeServerStreamRequest(
            '/etcdserverpb.Maintenance/Snapshot',
            () => EMPTY_REQUEST,
            snapshotBlob,
            {},
            metadata,
          ),
        ),
      ),
    );
    const abort = () => stream.cancel();
    signal.addEventListener('abort', abort, { once: true });
    try {
      yield* stream;
    } catch (err) {
      throw signal.aborted ? (signal.reason as Error) : toEtcdError(err);
    } finally {
      signal.removeEventListener('abort', abort);
      stream.cancel();
    }
  }

  async defragment(deadline: number): Promise<void> {
    await clean(this.client.maintenance.defragment({ deadline }));
  }

  async compact(revision: number, deadline: number): Promise<void> {
    await clean(this.client.kv.compact({ revision, physical: true }, { deadline }), { revision });
  }

  async disarm(alarm: AlarmInfo, deadline: number): Promise<void> {
    const memberID = BigInt(`0x${alarm.memberId}`).toString();
    const type =
      alarm.alarm === 'NOSPACE' ? 'Nospace' : alarm.alarm === 'CORRUPT' ? 'Corrupt' : 'None';
    await clean(
      this.client.maintenance.alarm({ action: 'Deactivate', memberID, alarm: type } as never, {
        deadline,
      }),
    );
  }

  metrics(deadline: number): Promise<string> {
    return httpGetText(this.metricsUrl, { deadline, ...(this.creds.tls ?? {}) });
  }

  rangeKeys(prefix: string, page: KeyPageRequest, deadline: number): Promise<KeyPage> {
    return clean(rangePage(this.client, prefix, page, deadline), { revision: page.revision });
  }

  countKeys(prefix: string, revision: number, deadline: number): Promise<number> {
    return clean(countRange(this.client, prefix, revision, deadline), { revision });
  }

  accessProbe(deadline: number): Promise<EtcdEndpointAccess> {
    const { endpoint, metricsUrl } = this;
    return probeEtcdAccess({ endpoint, metricsUrl, tls: this.creds.tls }, deadline);
  }

  close(): void {
    this.client.close();
  }
}
