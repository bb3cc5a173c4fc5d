/**
 * The configuration schema: one cluster from the environment, or several from
 * the YAML file (QUORUM_CONFIG). Every message names what is wrong and shows a
 * right value; load.ts prefixes the variable or key it came from.
 */
import { z } from 'zod';
import type { EtcdThresholds } from '../domain/thresholds.js';
import { checkCron } from '../domain/cron.js';
import { parseDuration, parseSize } from '../domain/units.js';
import { parseSnapshotLocation, type S3StoreSettings } from '../domain/snapshot-location.js';
import { redisSchema } from './redis-schema.js';

const duration = (example: string) =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseDuration(value);
    if (ms === undefined || !(ms > 0)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a duration; write e.g. ${example} (ms, s, m, h, d, w)`,
      });
      return z.NEVER;
    }
    return ms;
  });

const size = (example: string) =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const bytes = typeof value === 'number' ? value : parseSize(value);
    if (bytes === undefined || !(bytes > 0)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a size; write e.g. ${example} (B, KiB, MiB, GiB, or plain bytes)`,
      });
      return z.NEVER;
    }
    return bytes;
  });

const nonEmpty = (example: string) =>
  z.string({ error: `must be text, e.g. ${example}` }).min(1, `is empty; e.g. ${example}`);

const endpoint = z.string().refine((s) => /^https?:\/\/[^/\s:]+(:\d+)?\/?$/.test(s), {
  message: 'is not an etcd client URL; write e.g. https://10.0.0.11:2379',
});

const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const etcdSchema = z
  .object({
    endpoints: z
      .array(endpoint, { error: 'must be a list of URLs, e.g. [https://10.0.0.11:2379]' })
      .min(1, 'needs at least one URL, e.g. [https://10.0.0.11:2379]'),
    cacert: nonEmpty('/etc/kubernetes/pki/etcd/ca.crt').optional(),
    cert: nonEmpty('/etc/kubernetes/pki/etcd/healthcheck-client.crt').optional(),
    key: nonEmpty('/etc/kubernetes/pki/etcd/healthcheck-client.key').optional(),
    username: nonEmpty('root').optional(),
    password: z.string().optional(),
    /** The backend quota the members run with; read from /metrics when exposed. */
    quotaBackendBytes: size('2GiB').optional(),
    /** Where each member's /metrics is served, when not on the client URL. */
    metricsUrls: z.array(endpoint).optional(),
    /** etcd's data dir on the members, for the restore plan. */
    dataDir: nonEmpty('/var/lib/etcd').default('/var/lib/etcd'),
  })
  .strict()
  .refine((e) => (e.cert === undefined) === (e.key === undefined), {
    message: 'cert and key go together: set both, or neither',
    path: ['cert'],
  });

/** A snapshot store: a directory, or `s3://BUCKET/PREFIX` (domain/snapshot-location.ts). */
const snapshotStore = z
  .string({ error: 'must be a path or s3://BUCKET/PREFIX, e.g. s3://backups/etcd' })
  .superRefine((s, ctx) => {
    const parsed = parseSnapshotLocation(s);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
  });

/** How snapshots are written to S3; credentials, region and endpoint come from the AWS SDK's chain. */
export const s3StoreSchema = z
  .object({
    forcePathStyle: z.boolean().default(false),
    serverSideEncryption: z
      .enum(['AES256', 'aws:kms'], { message: 'must be AES256 (SSE-S3) or aws:kms (SSE-KMS)' })
      .optional(),
    kmsKeyId: nonEmpty('arn:aws:kms:eu-west-1:111122223333:key/…').optional(),
    storageClass: z
      .string()
      .regex(/^[A-Z_]+$/, 'write an S3 storage class, e.g. STANDARD_IA')
      .optional(),
    checksum: z
      .enum(['SHA256', 'CRC32', 'off'], { message: 'must be SHA256, CRC32 or off' })
      .default('SHA256'),
    partSize: size('8MiB')
      .refine((n) => n >= 5 * 2 ** 20, "must be at least 5MiB (S3's smallest part)")
      .default(8 * 2 ** 20),
    queueSize: z.number().int().min(1).max(16, 'must be 16 or less, e.g. 4').default(4),
  })
  .strict()
  .refine((s) => s.kmsKeyId === undefined || s.serverSideEncryption === 'aws:kms', {
    message: 'kmsKeyId needs serverSideEncryption: aws:kms',
    path: ['kmsKeyId'],
  });

/**
 * How to reach an Alertmanager, after its own `http_config` (in camelCase): one of a
 * bearer token (`authorization` or `bearerToken`) or `basicAuth`, and `tlsConfig`.
 * Per route or per cluster, `url` may be left out: the top-level `alertmanager.url`.
 */
const alertmanagerHttpFields = z.object({
  url: z.url({ protocol: /^https?$/, message: 'write e.g. http://alertmanager:9093' }).optional(),
  authorization: z
    .object({
      type: z.literal('Bearer', { error: 'only Bearer is supported' }).default('Bearer'),
      credentials: nonEmpty('the token'),
    })
    .strict()
    .optional(),
  bearerToken: nonEmpty('the token').optional(),
  basicAuth: z
    .object({ username: nonEmpty('quorum'), password: z.string() })
    .strict()
    .optional(),
  tlsConfig: z
    .object({
      caFile: nonEmpty('/etc/quorum/alertmanager-ca.crt').optional(),
      certFile: nonEmpty('/etc/quorum/alertmanager-client.crt').optional(),
      keyFile: nonEmpty('/etc/quorum/alertmanager-client.key').optional(),
      insecureSkipVerify: z.boolean().default(false),
    })
    .strict()
    .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), {
      message: 'certFile and keyFile go together: set both, or neither',
      path: ['certFile'],
    })
    .optional(),
});

const oneAuth = [
  (a: { authorization?: unknown; bearerToken?: unknown; basicAuth?: unknown }) =>
    [a.authorization, a.bearerToken, a.basicAuth].filter((x) => x !== undefined).length <= 1,
  { message: 'set one of authorization, bearerToken or basicAuth, not several' },
] as const;

export const alertmanagerHttpSchema = alertmanagerHttpFields.strict().refine(...oneAuth);

export const clusterSchema = z
  .object({
    name: z.string().regex(CLUSTER_NAME, {
      message: 'must be lower-case letters, digits and dashes, e.g. prod-eu1',
    }),
    etcd: etcdSchema,
    kubeconfig: nonEmpty('/etc/kubernetes/admin.conf').optional(),
    context: nonEmpty('kubernetes-admin@prod').optional(),
    snapshotDir: nonEmpty('/var/backups/etcd').optional(),
    /** This cluster's snapshot store (wins over snapshotDir). */
    snapshots: z.object({ store: snapshotStore.optional() }).strict().optional(),
    /** The Alertmanager of this cluster's alerts (silences from incident threads). */
    alertmanager: alertmanagerHttpSchema.optional(),
  })
  .strict();

export const thresholdsSchema = z
  .object({
    dbQuotaWarnRatio: z.number().gt(0).lte(1).default(0.8),
    dbQuotaCritRatio: z.number().gt(0).lte(1).default(0.95),
    /** Fragmentation: in-use below this share of the file... */
    fragmentationInUseRatio: z.number().gt(0).lte(1).default(0.5),
    /** ...with more than this much in use. */
    fragmentationMinInUse: size('100MiB').default(100 * 2 ** 20),
    applyLagWarn: z.number().int().positive().default(5_000),
    walFsyncP99Warn: duration('10ms').default(10),
    walFsyncP99Crit: duration('1s').default(1_000),
    backendCommitP99Warn: duration('25ms').default(25),
    backendCommitP99Crit: duration('250ms').default(250),
    /**
     * Latency is judged only on a window holding at least this many observations of a
     * histogram: below 100, p99's rank (0.99 × n) lies above the n−1 fastest, so the one
     * slowest observation alone would set the p99.
     */
    latencyMinObservations: z.number().int().positive().default(100),
    leaderChangesWarn: z.number().int().positive().default(4),
  })
  .strict();

const count = (example: number) =>
  z
    .number({ error: `must be a whole number, e.g. ${example}` })
    .int()
    .min(0, `must be 0 or more, e.g. ${example}`);

export const retentionSchema = z
  .object({
    keepLast: count(5).default(5),
    hourly: count(24).default(24),
    daily: count(7).default(7),
    weekly: count(4).default(4),
  })
  .strict();

const slackUserOrGroup = z.string().regex(/^[UWS][A-Z0-9]{2,}$/, {
  message: 'is not a Slack user or user-group ID; write e.g. U024BE7LH or S0614TZR7',
});

/** A cron expression of five fields (minute hour day-of-month month day-of-week), or six with seconds first. */
const cron = z
  .string({ error: 'must be a cron expression, e.g. "0 */6 * * *"' })
  .superRefine((s, ctx) => {
    // The scheduler's own parser (domain/cron.ts), so a pattern BullMQ would refuse fails here.
    const check = checkCron(s);
    if (!check.ok)
      ctx.addIssue({
        code: 'custom',
        message: `is not a cron expression: ${check.problem}; write five fields in UTC, e.g. "0 */6 * * *" (every 6 hours)`,
      });
  });

const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'write a channel ID, e.g. C024BE91L');

/** One periodic job: `every: 6h` or `cron: "0 *\/6 * * *"` (UTC); results to `channel`, else the worker's log. */
export const scheduleSchema = z
  .object({
    every: duration('6h').optional(),
    cron: cron.optional(),
    channel: channelId.optional(),
  })
  .strict()
  .refine((s) => (s.every === undefined) !== (s.cron === undefined), {
    message: 'needs exactly one of every (e.g. every: 6h) or cron (e.g. cron: "0 */6 * * *")',
  });

/** Per cluster: which periodic jobs run (`security`: the security audit, e.g. weekly). */
export const clusterSchedulesSchema = z
  .object({
    snapshot: scheduleSchema.optional(),
    check: scheduleSchema.optional(),
    security: scheduleSchema.optional(),
    /** Restore drills of the newest snapshot, e.g. `drill: { every: 24h }`. */
    drill: scheduleSchema.optional(),
  })
  .strict();

/** `{ match: { severity: critical, team: storage }, channel: C024BE91L }`: every label must equal. */
export const alertRouteSchema = z
  .object({
    match: z.record(z.string(), z.string(), {
      error: 'must map label names to values, e.g. { severity: critical }',
    }),
    channel: channelId,
    /** The Alertmanager of this route's alerts (wins over the cluster's and the top level). */
    alertmanager: alertmanagerHttpSchema.optional(),
  })
  .strict();

export const workerSchema = z
  .object({
    /** Jobs one worker process runs at once per cluster (maintenance stays one per cluster). */
    concurrency: z
      .number({ error: 'must be a whole number, e.g. 4' })
      .int()
      .min(1, 'must be 1 or more, e.g. 4')
      .max(100, 'must be 100 or less, e.g. 4')
      .default(4),
    /** How long a killed worker's job waits before another worker takes it over. */
    stalledInterval: duration('30s').default(30_000),
    /** On SIGTERM, how long running jobs may finish before they are handed back to the queue. */
    shutdownTimeout: duration('25s').default(25_000),
  })
  .strict();

/** A registry host (with port), optionally with a path prefix: `registry.k8s.io`, `ghcr.io/myorg`. */
const REGISTRY_PATTERN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const registry = z
  .string({ error: 'must be a registry, e.g. ghcr.io/myorg' })
  .transform((value, ctx) => {
    const s = value.trim().replace(/\/+$/, '');
    if (!REGISTRY_PATTERN.test(s)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a registry; write a host, optionally with a path prefix, e.g. registry.k8s.io or ghcr.io/myorg (no https://, no tag)`,
      });
      return z.NEVER;
    }
    return s;
  });

export const configSchema = z
  .object({
    defaultCluster: z.string().optional(),
    clusters: z.array(clusterSchema).min(1, 'needs at least one cluster'),
    snapshotDir: nonEmpty('./snapshots').default('./snapshots'),
    check: z
      .object({
        timeout: duration('5s').default(5_000),
        thresholds: thresholdsSchema.default(thresholdsSchema.parse({})),
      })
      .strict()
      .default({ timeout: 5_000, thresholds: thresholdsSchema.parse({}) }),
    snapshots: z
      .object({
        retention: retentionSchema.default(retentionSchema.parse({})),
        compress: z.boolean().default(false),
        /** The default snapshot store of every cluster (wins over snapshotDir). */
        store: snapshotStore.optional(),
        s3: s3StoreSchema.default(s3StoreSchema.parse({})),
      })
      .strict()
      .default({
        retention: retentionSchema.parse({}),
        compress: false,
        s3: s3StoreSchema.parse({}),
      }),
    maintenance: z
      .object({
        defragTimeout: duration('10m').default(600_000),
        compactTimeout: duration('5m').default(300_000),
        /** Drain: pause between rounds of evictions a PodDisruptionBudget refused… */
        drainRetryInterval: duration('5s').default(5_000),
        /** …and how long to keep trying before reporting the blocking budgets. */
        drainRetryLimit: duration('5m').default(300_000),
        /** Drain: eviction requests in flight at once (PodDisruptionBudgets still decide). */
        drainConcurrency: z
          .number({ error: 'must be a whole number, e.g. 5' })
          .int()
          .min(1, 'must be 1 or more, e.g. 5')
          .max(50, 'must be 50 or less, e.g. 5')
          .default(5),
      })
      .strict()
      .default({
        defragTimeout: 600_000,
        compactTimeout: 300_000,
        drainRetryInterval: 5_000,
        drainRetryLimit: 300_000,
        drainConcurrency: 5,
      }),
    security: z
      .object({
        /** Warn for each application namespace without a default-deny Egress NetworkPolicy. */
        requireEgressDeny: z.boolean().default(false),
        /**
         * Registries images may come from (`registry.k8s.io`, `ghcr.io/acme`); unset: any.
         * A container whose image comes from elsewhere is named by the security audit.
         */
        allowedRegistries: z
          .array(registry, {
            error: 'must be a list of registries, e.g. [registry.k8s.io, ghcr.io/myorg]',
          })
          .min(
            1,
            'is empty; leave it out to check no registry, or list them, e.g. [registry.k8s.io, ghcr.io/myorg]',
          )
          .optional(),
      })
      .strict()
      .default({ requireEgressDeny: false }),
    drills: z
      .object({
        /** Where etcd and etcdutl (3.4: etcdctl) are; PATH when unset. */
        binDir: nonEmpty('/opt/etcd/bin').optional(),
        /** Where drills restore (about twice the database): the system's temp dir when unset. */
        workDir: nonEmpty('/var/lib/quorum/drills').optional(),
        /** One whole drill: download, restore, start, scan. */
        timeout: duration('30m').default(1_800_000),
      })
      .strict()
      .default({ timeout: 1_800_000 }),
    upgrade: z
      .object({
        /** The upgrade precheck wants a verified etcd snapshot younger than this. */
        maxSnapshotAge: duration('24h').default(86_400_000),
      })
      .strict()
      .default({ maxSnapshotAge: 86_400_000 }),
    redisUrl: z
      .string()
      .refine((s) => /^rediss?:\/\//.test(s), { message: 'write e.g. redis://127.0.0.1:6379' })
      .default('redis://127.0.0.1:6379'),
    /** Sentinel (instead of redisUrl), passwords and the key prefix: redis-schema.ts. */
    redis: redisSchema,
    slack: z
      .object({
        botToken: z.string().startsWith('xoxb-', 'must start with xoxb-').optional(),
        signingSecret: z.string().min(1).optional(),
        appToken: z.string().startsWith('xapp-', 'must start with xapp-').optional(),
        apiUrl: z
          .url({ message: 'write e.g. https://slack.com/api/' })
          .default('https://slack.com/api/'),
        /** An outbox message Slack keeps failing (5xx, network) is given up this long after it was queued. */
        deliveryRetryLimit: duration('15m').default(900_000),
      })
      .strict()
      .default({ apiUrl: 'https://slack.com/api/', deliveryRetryLimit: 900_000 }),
    approvers: z.array(slackUserOrGroup).default([]),
    approvals: z
      .object({
        /** How long a request waits for a decision (a runbook action step may set its own). */
        expiry: duration('15m').default(900_000),
      })
      .strict()
      .default({ expiry: 900_000 }),
    alerts: z
      .object({
        channel: z
          .string()
          .regex(/^[CGD][A-Z0-9]{2,}$/, 'write a channel ID, e.g. C024BE91L')
          .optional(),
        token: z.string().min(16, 'must be at least 16 characters').optional(),
        /** First match wins; alerts no rule matches go to `channel`. */
        routes: z.array(alertRouteSchema).default([]),
        /** Firing again within this long after resolving reopens the same thread. */
        reopenWindow: duration('1h').default(3_600_000),
        /** The label naming the cluster an alert is about (else the default cluster). */
        clusterLabel: nonEmpty('cluster').default('cluster'),
        /** Who may silence from an incident thread; unset: the approvers. */
        silencers: z.array(slackUserOrGroup).optional(),
      })
      .strict()
      .default({ routes: [], reopenWindow: 3_600_000, clusterLabel: 'cluster' }),
    /** Silences from incident threads: without a url (QUORUM_ALERTMANAGER_URL), no silence buttons. */
    alertmanager: alertmanagerHttpFields
      .extend({ timeout: duration('5s').default(5_000) })
      .strict()
      .refine(...oneAuth)
      .default({ timeout: 5_000 }),
    runbooks: z
      .object({
        /** A directory of extra runbook YAML files, validated at start. */
        dir: nonEmpty('/etc/quorum/runbooks').optional(),
      })
      .strict()
      .default({}),
    http: z
      .object({
        port: z.coerce.number().int().min(1).max(65_535).default(3000),
        host: z.string().min(1).default('0.0.0.0'),
      })
      .strict()
      .default({ port: 3000, host: '0.0.0.0' }),
    worker: workerSchema.default(workerSchema.parse({})),
    /** Periodic jobs per cluster name, e.g. `prod: { snapshot: { every: 6h } }`. */
    schedules: z.record(z.string(), clusterSchedulesSchema).default({}),
    logLevel: z
      .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
        message: 'must be one of trace, debug, info, warn, error, fatal, silent',
      })
      .default('info'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.clusters.forEach((cluster, i) => {
      if (seen.has(cluster.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'name'],
          message: `"${cluster.name}" is used twice; each cluster needs its own name`,
        });
      }
      seen.add(cluster.name);
    });
  })
  .superRefine((c, ctx) => {
    for (const name of Object.keys(c.schedules)) {
      if (c.clusters.some((cluster) => cluster.name === name)) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['schedules', name],
        message: `"${name}" is not a configured cluster; use one of ${c.clusters.map((x) => x.name).join(', ')}`,
      });
    }
  });

export type Config = z.output<typeof configSchema>;
export type ClusterConfig = z.output<typeof clusterSchema>;
export type EtcdConfig = z.output<typeof etcdSchema>;
export type Thresholds = z.output<typeof thresholdsSchema>;
/** The schema parses into exactly the operations' threshold type (a compile-time check). */
export const THRESHOLDS_MATCH: [Thresholds, EtcdThresholds] extends [EtcdThresholds, Thresholds]
  ? true
  : never = true;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
/** The schema parses into exactly the stores' S3 settings (a compile-time check). */
export const S3_SETTINGS_MATCH: [z.output<typeof s3StoreSchema>, S3StoreSettings] extends [
  S3StoreSettings,
  z.output<typeof s3StoreSchema>,
]
  ? true
  : never = true;
export type WorkerConfig = z.output<typeof workerSchema>;
export type AlertRoute = z.output<typeof alertRouteSchema>;
export type AlertmanagerHttpConfig = z.output<typeof alertmanagerHttpSchema>;
