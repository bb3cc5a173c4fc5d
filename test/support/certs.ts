/**
 * Test PKI made with the openssl CLI (EC P-256): a CA, a server certificate for
 * localhost/127.0.0.1 and a client certificate with CN=root (etcd maps the CN to
 * a user when --client-cert-auth is on). makeOtherCa() makes an unrelated CA and
 * client certificate for "wrong CA" tests. Results are memoized per directory.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand, tmpDir } from './processes.js';

export interface Certs {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export interface OtherCa {
  ca: string;
  clientCert: string;
  clientKey: string;
}

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
# clientAuth too: etcd's gRPC gateway dials its own server with this certificate.
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/**
 * Run openssl with `command` split on spaces; a word `$name` is replaced by
 * `values.name` afterwards, so paths with spaces stay one argument.
 */
async function openssl(command: string, values: Record<string, string> = {}): Promise<void> {
  const argv = command.split(' ').map((word) => {
    const value = word.startsWith('$') ? values[word.slice(1)] : word;
    if (value === undefined) throw new Error(`openssl: no value for ${word}`);
    return value;
  });
  const result = await runCommand('openssl', argv);
  if (result.code !== 0) {
    throw new Error(`openssl ${argv[0] ?? ''} failed (${result.code}):\n${result.stderr}`);
  }
}

interface Ca {
  cert: string;
  key: string;
  config: string;
}

/** `${base}.pem`, `${base}-key.pem` and a scratch `${base}.tmp` in dir. */
function files(dir: string, base: string): { cert: string; key: string; scratch: string } {
  const at = (suffix: string): string => path.join(dir, base + suffix);
  return { cert: at('.pem'), key: at('-key.pem'), scratch: at('.tmp') };
}

const NEW_KEY = 'genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $key';

/** Self-signed CA: writes `${base}.pem`, `${base}-key.pem` and its openssl config. */
async function newCa(dir: string, base: string, cn: string): Promise<Ca> {
  const { cert, key } = files(dir, base);
  const config = path.join(dir, `${base}.cnf`);
  await writeFile(config, OPENSSL_CONFIG);
  await openssl(NEW_KEY, { key });
  await openssl(
    'req -x509 -new -sha256 -days 3650 -key $key -subj $subject' +
      ' -config $config -extensions ca_ext -out $cert',
    { key, subject: `/CN=${cn}`, config, cert },
  );
  return { cert, key, config };
}

/** Leaf signed by the CA: writes `${base}.pem` and `${base}-key.pem`. */
async function newLeaf(
  dir: string,
  ca: Ca,
  base: string,
  cn: string,
  extensions: 'server_ext' | 'client_ext',
): Promise<[string, string]> {
  const { cert, key, scratch: csr } = files(dir, base);
  const values = { key, cert, csr, extensions, subject: `/CN=${cn}`, config: ca.config };
  await openssl(NEW_KEY, values);
  await openssl('req -new -key $key -subj $subject -config $config -out $csr', values);
  await openssl(
    'x509 -req -sha256 -days 3650 -set_serial $serial -in $csr -CA $ca -CAkey $caKey' +
      ' -extfile $config -extensions $extensions -out $cert',
    { ...values, serial: `0x${randomBytes(15).toString('hex')}`, ca: ca.cert, caKey: ca.key },
  );
  await rm(csr, { force: true });
  return [cert, key];
}

function memoize<T>(make: (dir: string) => Promise<T>): (dir: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (dir) => {
    const key = path.resolve(dir);
    let promise = cache.get(key);
    if (!promise) {
      promise = make(key);
      promise.catch(() => cache.delete(key));
      cache.set(key, promise);
    }
    return promise;
  };
}

/** CA, server (localhost, 127.0.0.1) and client (CN=root) certificates in `dir`. */
export const makeCerts = memoize(async (dir: string): Promise<Certs> => {
  const ca = await newCa(dir, 'ca', 'Quorum Test CA');
  const [server, client] = await Promise.all([
    newLeaf(dir, ca, 'server', 'localhost', 'server_ext'),
    newLeaf(dir, ca, 'client', 'root', 'client_ext'),
  ]);
  return { ca: ca.cert, serverCert: server[0], serverKey: server[1], ...clientPair(client) };
});

/** An unrelated CA and a client certificate (CN=root) it signed, in `dir`. */
export const makeOtherCa = memoize(async (dir: string): Promise<OtherCa> => {
  const ca = await newCa(dir, 'other-ca', 'Quorum Unrelated Test CA');
  const client = await newLeaf(dir, ca, 'other-client', 'root', 'client_ext');
  return { ca: ca.cert, ...clientPair(client) };
});

const EXPIRED_CA_CONFIG = `
[ca]
default_ca = ca_default
[ca_default]
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
rand_serial = yes
default_md = sha256
policy = policy_any
unique_subject = no
[policy_any]
commonName = supplied
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
`;

/**
 * A client certificate (CN=root) whose validity ended on `notAfter` (default 2020-02-01),
 * signed by a CA of its own: `openssl ca` is the openssl 3.0 command that takes a past
 * end date. For expiry checks: a server that does not ask for client certificates never
 * sees it, so the connection still works.
 */
export async function makeExpiredCert(
  dir: string,
  notAfter = '20200201000000Z',
): Promise<{ cert: string; key: string; notAfter: Date }> {
  const ca = await newCa(dir, 'expired-ca', 'Quorum Expired Test CA');
  const { cert, key, scratch: csr } = files(dir, 'expired-client');
  const config = path.join(dir, 'expired-ca-db.cnf');
  await writeFile(config, EXPIRED_CA_CONFIG.replaceAll('$dir', dir));
  await writeFile(path.join(dir, 'index.txt'), '');
  await openssl(NEW_KEY, { key });
  await openssl('req -new -key $key -subj /CN=root -out $csr', { key, csr });
  await openssl(
    'ca -batch -config $config -keyfile $caKey -cert $ca -in $csr -out $cert -notext' +
      ' -startdate 20200101000000Z -enddate $end -extensions client_ext',
    { config, caKey: ca.key, ca: ca.cert, csr, cert, end: notAfter },
  );
  await rm(csr, { force: true });
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(notAfter)!;
  return { cert, key, notAfter: new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) };
}

function clientPair([clientCert, clientKey]: [string, string]) {
  return { clientCert, clientKey };
}

let shared: Promise<string> | undefined;
/** One temporary directory per process for the shared PKI (removed at exit). */
function sharedDir(): Promise<string> {
  shared ??= tmpDir('pki');
  return shared;
}

/** makeCerts() into a per-process temporary directory: generated once per process. */
export async function sharedCerts(): Promise<Certs> {
  return makeCerts(await sharedDir());
}

/** makeOtherCa() into the per-process temporary directory. */
export async function sharedOtherCa(): Promise<OtherCa> {
  return makeOtherCa(await sharedDir());
}
