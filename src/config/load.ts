/**
 * Configuration: defaults → YAML file (QUORUM_CONFIG) → environment, parsed once
 * with the schema into a frozen Config. A variable overrides the file. Errors name
 * the variable or the file key, what is wrong, and a right value.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { QuorumError } from '../domain/errors.js';
import { configSchema, type ClusterConfig, type Config } from './schema.js';

type Env = Record<string, string | undefined>;
type Raw = Record<string, unknown>;
/** Which variable set which config path ("clusters.0.etcd.endpoints" → ETCDCTL_ENDPOINTS). */
type Sources = Map<string, string>;

export function loadConfig(env: Env = process.env, read = readTextFile): Config {
  const file = env.QUORUM_CONFIG?.trim() || undefined;
  const raw = file ? readConfigFile(file, read) : {};
  const sources: Sources = new Map();
  applyEnv(raw, env, sources);
  oneRedisTarget(raw, sources, file);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new QuorumError(
      'CONFIG_INVALID',
      `Configuration is invalid:\n${formatIssues(parsed.error.issues, sources, file)}`,
      'Fix the values above (see docs/configuration.md) and run again.',
    );
  }
  return deepFreeze(withDefaultCluster(parsed.data, file, env.QUORUM_CLUSTER || undefined));
}

/**
 * One way to Redis. A variable overrides the file: REDIS_URL drops the file's sentinels,
 * REDIS_SENTINELS the file's redisUrl. Both given at the same level, one would be
 * ignored: refused.
 */
function oneRedisTarget(raw: Raw, sources: Sources, file?: string): void {
  const redis = typeof raw.redis === 'object' && raw.redis !== null ? (raw.redis as Raw) : {};
  if (raw.redisUrl === undefined || redis.sentinels === undefined) return;
  const urlFromEnv = sources.has('redisUrl');
  const sentinelsFromEnv = sources.has('redis.sentinels');
  if (urlFromEnv && !sentinelsFromEnv) {
    for (const key of ['sentinels', 'sentinelMaster', 'sentinelPassword']) {
      if (!sources.has(`redis.${key}`)) delete redis[key];
    }
    return;
  }
  if (sentinelsFromEnv && !urlFromEnv) {
    delete raw.redisUrl;
    return;
  }
  const where = (path: string) => sources.get(path) ?? `${file ?? 'configuration'}: ${path}`;
  throw new QuorumError(
    'CONFIG_INVALID',
    `Configuration is invalid:\n  - ${where('redisUrl')} and ${where('redis.sentinels')} are both set; Quorum reaches Redis one way.`,
    'Unset REDIS_URL (redisUrl) to go through Sentinel, or REDIS_SENTINELS (redis.sentinels) to use the URL.',
  );
}

function readTextFile(path: string): string {
  return readFileSync(path, 'utf8');
}

function readConfigFile(path: string, read: (p: string) => string): Raw {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new QuorumError(
      'CONFIG_UNREADABLE',
      `QUORUM_CONFIG=${path}: cannot read the file (${reason}).`,
      'Point QUORUM_CONFIG at a readable YAML file, e.g. QUORUM_CONFIG=/etc/quorum/config.yaml, or unset it.',
      { cause: err },
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const where =
      err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new QuorumError(
      'CONFIG_UNREADABLE',
      `${path}: not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`,
      'Fix the YAML syntax; an example config is in docs/configuration.md.',
      { cause: err },
    );
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new QuorumError(
      'CONFIG_INVALID',
      `${path}: the top level must be a mapping (key: value), e.g. "clusters: [...]".`,
      'See the example config in docs/configuration.md.',
    );
  }
  return doc as Raw;
}

function set(
  raw: Raw,
  path: (string | number)[],
  value: unknown,
  source: string,
  sources: Sources,
) {
  let node: Record<string | number, unknown> = raw;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[path[path.length - 1] as string | number] = value;
  sources.set(path.join('.'), source);
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function applyEnv(raw: Raw, env: Env, sources: Sources): void {
  const put = (name: string, path: (string | number)[], value?: unknown) => {
    const v = env[name];
    if (v !== undefined && v !== '') set(raw, path, value ?? v, name, sources);
  };
  applyClusterEnv(raw, env, sources);
  put('QUORUM_SNAPSHOT_DIR', ['snapshotDir']);
  put('QUORUM_ETCD_BIN_DIR', ['drills', 'binDir']);
  put('QUORUM_DRILL_DIR', ['drills', 'workDir']);
  const pathStyle = env.QUORUM_S3_FORCE_PATH_STYLE?.trim().toLowerCase();
  put('QUORUM_S3_FORCE_PATH_STYLE', ['snapshots', 's3', 'forcePathStyle'], flag(pathStyle));
  put('REDIS_URL', ['redisUrl']);
  put('REDIS_SENTINELS', ['redis', 'sentinels'], list(env.REDIS_SENTINELS ?? ''));
  put('REDIS_SENTINEL_MASTER', ['redis', 'sentinelMaster']);
  put('REDIS_PASSWORD', ['redis', 'password']);
  put('REDIS_SENTINEL_PASSWORD', ['redis', 'sentinelPassword']);
  put('SLACK_BOT_TOKEN', ['slack', 'botToken']);
  put('SLACK_SIGNING_SECRET', ['slack', 'signingSecret']);
  put('SLACK_APP_TOKEN', ['slack', 'appToken']);
  put('SLACK_API_URL', ['slack', 'apiUrl']);
  put('QUORUM_APPROVERS', ['approvers'], list(env.QUORUM_APPROVERS ?? ''));
  put('QUORUM_APPROVAL_EXPIRY', ['approvals', 'expiry']);
  put('QUORUM_ALERT_CHANNEL', ['alerts', 'channel']);
  put('QUORUM_ALERT_TOKEN', ['alerts', 'token']);
  put('QUORUM_SILENCERS', ['alerts', 'silencers'], list(env.QUORUM_SILENCERS ?? ''));
  put('QUORUM_ALERTMANAGER_URL', ['alertmanager', 'url']);
  put('QUORUM_ALERTMANAGER_TOKEN', ['alertmanager', 'bearerToken']);
  put('PORT', ['http', 'port']);
  put('HOST', ['http', 'host']);
  put('LOG_LEVEL', ['logLevel']);
}

const ETCD_VARS = ['ETCDCTL_ENDPOINTS', 'ETCDCTL_CACERT', 'ETCDCTL_CERT', 'ETCDCTL_KEY'] as const;

/** ETCDCTL_* and KUBECONFIG describe the default cluster, created when the file has none. */
function applyClusterEnv(raw: Raw, env: Env, sources: Sources): void {
  if (!Array.isArray(raw.clusters)) raw.clusters = [];
  const clusters = raw.clusters as Raw[];
  const wanted = env.QUORUM_CLUSTER || (raw.defaultCluster as string | undefined);
  let index = clusters.findIndex((c) => typeof c === 'object' && c?.name === (wanted ?? c?.name));
  const fromEnv = ETCD_VARS.some((v) => env[v]) || env.ETCDCTL_USER || clusters.length === 0;
  if (index === -1 && !fromEnv) return; // reported by withDefaultCluster
  if (index === -1) {
    index = clusters.length;
    clusters.push({ name: wanted ?? 'default', etcd: { endpoints: ['http://127.0.0.1:2379'] } });
    if (env.QUORUM_CLUSTER) sources.set(`clusters.${index}.name`, 'QUORUM_CLUSTER');
  }
  const at = (...p: (string | number)[]) => ['clusters', index, ...p];
  const put = (name: string, path: (string | number)[], value?: unknown) => {
    const v = env[name];
    if (v !== undefined && v !== '') set(raw, path, value ?? v, name, sources);
  };
  const tls = Boolean(env.ETCDCTL_CACERT || env.ETCDCTL_CERT);
  put('ETCDCTL_ENDPOINTS', at('etcd', 'endpoints'), normalizeEndpoints(env.ETCDCTL_ENDPOINTS, tls));
  put('ETCDCTL_CACERT', at('etcd', 'cacert'));
  put('ETCDCTL_CERT', at('etcd', 'cert'));
  put('ETCDCTL_KEY', at('etcd', 'key'));
  if (env.ETCDCTL_USER) {
    const [user, ...rest] = env.ETCDCTL_USER.split(':');
    set(raw, at('etcd', 'username'), user, 'ETCDCTL_USER', sources);
    const password = rest.length > 0 ? rest.join(':') : env.ETCDCTL_PASSWORD;
    set(raw, at('etcd', 'password'), password ?? '', 'ETCDCTL_USER', sources);
  }
  put('KUBECONFIG', at('kubeconfig'));
  put('QUORUM_SNAPSHOT_STORE', at('snapshots', 'store'));
}

const FLAGS: Record<string, boolean> = {
  true: true,
  '1': true,
  yes: true,
  false: false,
  '0': false,
  no: false,
};
/** `true`/`false` (also 1/0, yes/no) as a boolean; anything else as given, for the schema to refuse. */
const flag = (v?: string) => (v === undefined ? undefined : (FLAGS[v] ?? v));

/** etcdctl accepts `host:port`; it means https when TLS files are given. */
function normalizeEndpoints(value: string | undefined, tls: boolean): string[] {
  return list(value ?? '').map((e) =>
    /^[a-z]+:\/\//i.test(e) ? e : `${tls ? 'https' : 'http'}://${e}`,
  );
}

function formatIssues(issues: z.core.$ZodIssue[], sources: Sources, file?: string): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String);
      const key = path.join('.');
      const variable = [...sources.entries()].find(([p]) => key === p || key.startsWith(`${p}.`));
      const where = variable
        ? `${variable[1]}${key.length > variable[0].length ? ` (item ${Number(path.at(-1)) + 1})` : ''}`
        : `${file ?? 'configuration'}: ${formatPath(issue.path)}`;
      return `  - ${where}: ${issue.message}`;
    })
    .join('\n');
}

function formatPath(path: PropertyKey[]): string {
  return (
    path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`))
      .join('') || '(top level)'
  );
}

function withDefaultCluster(config: Config, file?: string, envName?: string): Config {
  const wanted = envName ?? config.defaultCluster ?? config.clusters[0]?.name;
  if (!config.clusters.some((c) => c.name === wanted)) {
    const names = config.clusters.map((c) => c.name).join(', ');
    throw new QuorumError(
      'CONFIG_INVALID',
      `${envName ? 'QUORUM_CLUSTER' : `${file}: defaultCluster`}: "${wanted}" is not a configured cluster (configured: ${names}).`,
      `Use one of: ${names}.`,
    );
  }
  return { ...config, defaultCluster: wanted };
}

/** The named cluster, or the default one; CLUSTER_UNKNOWN names the configured ones. */
export function resolveCluster(config: Config, name?: string): ClusterConfig {
  const wanted = name ?? config.defaultCluster;
  const cluster = config.clusters.find((c) => c.name === wanted);
  if (cluster) return cluster;
  const names = config.clusters.map((c) => c.name).join(', ');
  throw new QuorumError(
    'CLUSTER_UNKNOWN',
    `No cluster named "${wanted}" is configured.`,
    `Use one of: ${names} (e.g. --cluster ${config.clusters[0]?.name ?? 'default'}).`,
  );
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
